// The two calls of a native `solc` that analysis tools make (slither through
// crytic-compile), answered by solc-js: `--version`, and `--standard-json` with the input on
// stdin. The output goes to the file named by --out (the caller, tools/solc, prints it):
// writing a large JSON straight to a pipe from Node can be cut short.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const solc = require("solc");
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function findImport(unit) {
  for (const base of [process.cwd(), ROOT, path.join(ROOT, "node_modules")]) {
    const file = path.join(base, unit);
    if (fs.existsSync(file)) return { contents: fs.readFileSync(file, "utf8") };
  }
  return { error: `not found: ${unit}` };
}

const args = process.argv.slice(2);
if (args.includes("--version")) {
  console.log(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}`);
} else {
  const out = args[args.indexOf("--out") + 1];
  const input = fs.readFileSync(0, "utf8");
  fs.writeFileSync(out, solc.compile(input, { import: findImport }));
}

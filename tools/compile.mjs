// Compiles contracts/ with solc-js (the npm `solc` package) and writes one JSON artifact per
// contract: production contracts into bountychain/artifacts/ (shipped with the SDK), test
// doubles from contracts/test/ into tests/artifacts/.
//
// Usage: node tools/compile.mjs [--out-dir DIR]   (DIR replaces both destinations, for checks)
//
// solc is called in-process through its JS API rather than the `solcjs` CLI, which truncates
// large output on a pipe. Sources are passed inline, and every import is resolved from the
// repository or node_modules, so the standard-JSON input written beside the artifacts is
// self-contained (what block explorers take for source verification).
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const solc = require("solc");

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SETTINGS = {
  evmVersion: "cancun",
  optimizer: { enabled: true, runs: 500 },
  viaIR: true,
  metadata: { bytecodeHash: "ipfs" },
  outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object",
    "evm.deployedBytecode.immutableReferences", "metadata"] } },
};

function listSolidity(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listSolidity(full);
    return entry.name.endsWith(".sol") ? [full] : [];
  });
}

// Maps an import path to a file: relative to the importing file, else the repo, else node_modules.
function resolveImport(importPath, fromUnit) {
  if (importPath.startsWith(".")) return path.posix.normalize(path.posix.join(path.posix.dirname(fromUnit), importPath));
  return importPath;
}

function readUnit(unit) {
  for (const base of [ROOT, path.join(ROOT, "node_modules")]) {
    const file = path.join(base, unit);
    if (fs.existsSync(file)) return fs.readFileSync(file, "utf8");
  }
  throw new Error(`cannot resolve Solidity import ${unit}`);
}

function collectSources(rootUnits) {
  const sources = {};
  const pending = [...rootUnits];
  while (pending.length) {
    const unit = pending.pop();
    if (sources[unit]) continue;
    const content = readUnit(unit);
    sources[unit] = { content };
    for (const match of content.matchAll(/^\s*import\s+(?:[^"']*from\s+)?["']([^"']+)["']/gm)) {
      pending.push(resolveImport(match[1], unit));
    }
  }
  return Object.fromEntries(Object.keys(sources).sort().map((unit) => [unit, sources[unit]]));
}

function main() {
  const outIndex = process.argv.indexOf("--out-dir");
  const outDir = outIndex > 0 ? path.resolve(process.argv[outIndex + 1]) : null;
  const rootUnits = listSolidity(path.join(ROOT, "contracts")).map((f) => path.relative(ROOT, f).split(path.sep).join("/"));
  const input = { language: "Solidity", sources: collectSources(rootUnits), settings: SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));

  const errors = (output.errors || []).filter((e) => e.severity === "error");
  // Show every error, and the warnings about our own sources (not about node_modules).
  for (const diagnostic of output.errors || []) {
    const ours = diagnostic.sourceLocation?.file?.startsWith("contracts/") ?? true;
    if (diagnostic.severity === "error" || ours) console.error(diagnostic.formattedMessage);
  }
  if (errors.length) process.exit(1);

  const version = solc.version();
  let written = 0;
  for (const unit of rootUnits) {
    const isTestDouble = unit.startsWith("contracts/test/");
    const dest = outDir ?? path.join(ROOT, isTestDouble ? "tests/artifacts" : "bountychain/artifacts");
    fs.mkdirSync(dest, { recursive: true });
    for (const [name, contract] of Object.entries(output.contracts[unit] || {})) {
      if (!contract.evm.bytecode.object) continue; // interfaces and abstract contracts
      const artifact = {
        contractName: name,
        sourceName: unit,
        compiler: { version, settings: SETTINGS },
        abi: contract.abi,
        bytecode: "0x" + contract.evm.bytecode.object,
        deployedBytecode: "0x" + contract.evm.deployedBytecode.object,
        // Where the constructor writes each immutable into the runtime code (byte offsets):
        // what a code-hash check masks to compare a deployment with this artifact.
        immutableReferences: contract.evm.deployedBytecode.immutableReferences,
      };
      fs.writeFileSync(path.join(dest, `${name}.json`), JSON.stringify(artifact, null, 1) + "\n");
      written += 1;
    }
  }
  const inputDest = outDir ?? path.join(ROOT, "build");
  fs.mkdirSync(inputDest, { recursive: true });
  fs.writeFileSync(path.join(inputDest, "standard-input.json"), JSON.stringify(input));
  // For explorer verification: each production contract's own import closure, same settings.
  for (const unit of rootUnits.filter((u) => !u.startsWith("contracts/test/") && !u.includes("/interfaces/"))) {
    const own = { language: "Solidity", sources: collectSources([unit]), settings: SETTINGS };
    const name = path.basename(unit, ".sol");
    fs.writeFileSync(path.join(inputDest, `${name}.standard-input.json`), JSON.stringify(own));
  }
  console.log(`compiled ${rootUnits.length} files with solc ${version}: ${written} artifacts`);
}

main();

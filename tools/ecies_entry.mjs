// The page's copy of eciesjs (pinned in package.json): `make vendor` bundles this entry with
// esbuild into bountychain/web/static/vendor/ecies.min.js, one ES module with no imports (the
// page's CSP loads scripts from its own origin only, and a browser cannot resolve npm names).
// Its default scheme is eciespy's, which bountychain/reports.py pins: secp256k1, an uncompressed
// ephemeral key, HKDF-SHA256, AES-256-GCM with a 16-byte nonce.
export { decrypt, encrypt } from "eciesjs";

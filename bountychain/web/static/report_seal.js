// Private security reports sealed in the browser, in the format of bountychain/reports.py (which
// `bountychain report decrypt | reveal | verify` read):
// - the commitment is the EIP-712 hash of SecurityReport(bountyId, hunter, salt, report) under the
//   domain "Bountychain security report" (chain id, escrow), computed by ethers;
// - salt || report is sealed by eciesjs (pinned, vendored) to the bounty's security contact key and
//   to the hunter's own key, so the hunter can reveal it later with `bountychain report reveal`;
// - the hunter's public key is recovered (ethers) from a message the wallet signs, since a
//   wallet does not hand out its key.
// The report's text stays in this page: only the commitment goes on chain, and nothing here
// makes a request. The salt comes from the browser's CSPRNG (crypto.getRandomValues).
import { ethers } from "./vendor/ethers.min.js";

export const REPORT_URI_PREFIX = "bountychain-report:v1:";
const SALT_BYTES = 32;
const REPORT_TYPES = { SecurityReport: [{ name: "bountyId", type: "uint256" }, { name: "hunter", type: "address" },
  { name: "salt", type: "bytes32" }, { name: "report", type: "bytes" }] };
const SECURITY_KEY = /(?:^|&)security-key=(0x0[23][0-9a-fA-F]{64})(?:&|$)/;

// The contact key a bounty's URI names in its fragment (#security-key=0x02…), or null. A key
// that is not a point on secp256k1 throws: a report must never be sealed to a key nobody meant.
export function securityKeyOf(uri) {
  const hash = String(uri).indexOf("#");
  const found = hash < 0 ? null : String(uri).slice(hash + 1).match(SECURITY_KEY);
  return found ? ethers.SigningKey.computePublicKey(found[1], true) : null;
}

export function reportCommitment({ chainId, escrow, bountyId, hunter, salt, report }) {
  const domain = { name: "Bountychain security report", version: "1", chainId, verifyingContract: escrow };
  return ethers.TypedDataEncoder.hash(domain, REPORT_TYPES, { bountyId, hunter, salt, report });
}

// The wallet's public key (compressed, 0x…): the key that signed a fixed message, checked to
// be the account's.
export async function walletPublicKey(wallet, account) {
  const message = `bountychain: my public key, for my own copy of a sealed security report (${account})`;
  const signature = await wallet.signMessage(message);
  const key = ethers.SigningKey.recoverPublicKey(ethers.hashMessage(message), signature);
  if (ethers.computeAddress(key) !== ethers.getAddress(account)) throw new Error("the wallet signed with another key");
  return ethers.SigningKey.computePublicKey(key, true);
}

// Seals `text` for a bounty, to { uri, envelope, bundle }, where `envelope` is what the security
// contact gets (SealedReport, no plaintext) and `bundle` the hunter's reveal (ReportBundle,
// which holds the report: keep it private until the fix is out). `claimId` is set once known.
export async function sealReport({ chainId, escrow, bountyId, hunter, hunterKey, contactKey, text }) {
  // Loaded only when a report is sealed: the other pages need none of its 128 KB.
  const { encrypt } = await import("./vendor/ecies.min.js");
  const report = new TextEncoder().encode(text);
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const facts = { chainId, escrow: ethers.getAddress(escrow), bountyId: BigInt(bountyId), hunter: ethers.getAddress(hunter) };
  const commitment = reportCommitment({ ...facts, salt, report });
  const plain = ethers.concat([salt, report]);
  const sealed = (key) => ethers.hexlify(encrypt(ethers.getBytes(key).slice(), ethers.getBytes(plain)));
  const common = { version: 1, chain_id: Number(chainId), escrow: facts.escrow, bounty_id: Number(bountyId),
    claim_id: null, hunter: facts.hunter, commitment };
  return {
    uri: REPORT_URI_PREFIX + commitment,
    envelope: { kind: "bountychain-security-report-envelope", ...common, contact_key: contactKey, hunter_key: hunterKey,
      scheme: "ECIES secp256k1 HKDF-SHA256 AES-256-GCM", for_contact: sealed(contactKey), for_hunter: sealed(hunterKey) },
    bundle: { kind: "bountychain-security-report", ...common, salt: ethers.hexlify(salt), report: ethers.hexlify(report) },
  };
}

// The funders' page: bounties and fundraisers from the index's JSON API, transactions through the browser's
// wallet (EIP-6963 discovery, else window.ethereum) with ethers v6 (vendored, served locally).
// Everything shown that came from the chain is inserted as text, never as HTML.
import { ethers } from "./vendor/ethers.min.js";
import { acceptedForges, isIssueUrl, normaliseIssueUrl } from "./issue_url.js";
import { sealReport, securityKeyOf, walletPublicKey } from "./report_seal.js";
import { BPS, checkPart, checkSomethingPaid, checkSplit, partOf, proposalWords } from "./review_parts.js";

const STATUS_NAMES = { 0: "open", 1: "awarded", 2: "cancelled", 3: "under review" };
const PROPOSAL_STATE_NAMES = { 0: "not live (none was made, or it was rejected)", 1: "pending",
  2: "blocked, waiting for escalation", 3: "with the arbiter", 4: "upheld by the arbiter", 5: "executed" };
const LIVE_PROPOSAL = ["pending", "blocked", "escalated", "upheld"];
const state = { info: null, escrowIface: null, tokenIface: null, wallets: new Map(), wallet: null, account: null,
  chainOk: false, route: null, chain: null };

// --- small DOM helpers -----------------------------------------------------------------------

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const $ = (selector) => document.querySelector(selector);

// --- the index's chains ------------------------------------------------------------------------
// An index may follow several chains (one escrow on each): bounty ids are numbered per chain, so
// a link to a bounty names its chain, and actions go to the escrow on the bounty's chain
// (`state.chain`). With one chain, links stay as they always were.

const chainOf = (chainId) => state.info.chains.find((c) => c.chain_id === chainId) ?? null;
const severalChains = () => state.info.chains.length > 1;
const chainQuery = (row) => severalChains() ? `?chain=${encodeURIComponent(chainOf(row.chain_id)?.shorthand ?? row.chain_id)}` : "";
const chainTag = (row) => severalChains() ? h("span", { class: "chain-tag" }, row.chain_name) : null;
// The block explorer of the chain in view (an index of one chain: /api/info's, as before).
const explorerOf = () => state.chain?.explorer ?? (severalChains() ? null : state.info?.explorer);
// "Now" for a bounty: the time of its chain's last indexed block (else the wall clock).
function nowOf(row, index) {
  const indexed = (index.chains ?? []).find((c) => c.chain_id === row.chain_id);
  return indexed?.cursor_time ?? index.cursor_time ?? Date.now() / 1000;
}

// Replaces the page's view; children that are null, undefined or false are left out (the DOM's
// replaceChildren would show them as the text "null").
function showView(...children) {
  $("#view").replaceChildren(...children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false));
}
const short = (address) => address ? `${address.slice(0, 6)}…${address.slice(-4)}` : "";

// The words a person reads for a status (the API's table: "under review", not "under_review").
const statusWord = (status) => state.info?.status_words?.[status] ?? String(status).replace(/_/g, " ");

// An address: its profile page here (funder or hunter), and the block explorer's page when the
// chain has one.
function addressLink(address, role) {
  if (!address) return h("span", { class: "muted" }, "none");
  const explorer = explorerOf();
  return h("span", { class: "address" },
    role ? h("a", { href: `/${role}/${address}`, dataset: { nav: "" }, class: "mono" }, address) : h("span", { class: "mono" }, address),
    explorer ? h("a", { href: `${explorer}/address/${address}`, target: "_blank", rel: "noopener noreferrer",
      class: "explorer", title: "on the block explorer" }, " ↗") : null);
}

// A transaction hash, linked to the block explorer when the chain has one.
function txLink(hash) {
  const explorer = explorerOf();
  return explorer ? h("a", { href: `${explorer}/tx/${hash}`, target: "_blank", rel: "noopener noreferrer", class: "tx" }, short(hash))
    : h("span", { class: "mono tx", title: hash }, short(hash));
}

function safeLink(url, text) {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === "https:" || parsed.protocol === "http:") {
      return h("a", { href: parsed.href, target: "_blank", rel: "noopener noreferrer" }, text ?? url);
    }
  } catch { /* not a URL: shown as text */ }
  return h("span", {}, text ?? url);
}

// A private security report's claim: its URI is only a commitment to a report that the bounty's
// security contact alone can read, so it is words with the time it was committed, never a link.
// (A report is sealed in the browser, or by `bountychain report submit`, before it is committed.)
function solutionCell(c) {
  if (!c.private_report) return safeLink(c.uri);
  const when = c.committed_at == null ? "" : `, committed ${utc(c.committed_at)}`;
  return h("span", { class: "private-report", title: c.uri }, `private security report${when}`);
}

// A token's address beside its amount in a listing: any token may call itself "USDC", or "ETH".
function tokenTag(row) {
  return row.token && BigInt(row.token) !== 0n ? h("span", { class: "token-address", title: row.token }, ` (${short(row.token)})`)
    : null;
}

// One card per row, each on its own: a row the page cannot render (a token whose metadata breaks
// the amount formatter, say) becomes a short note, and the other cards still show.
function card(render, row, now) {
  try {
    return render(row, now);
  } catch (error) {
    console.warn(`entry #${row.bounty_id} cannot be shown:`, error);
    return h("article", { class: "card broken", dataset: { bountyId: row.bounty_id } },
      h("div", { class: "title" }, `#${row.bounty_id} `, safeLink(row.uri)),
      h("p", { class: "muted" }, "This entry cannot be shown: its token reports unusable metadata."));
  }
}

function amount(value, decimals, symbol) {
  const text = ethers.formatUnits(BigInt(value), decimals);
  return `${text.endsWith(".0") ? text.slice(0, -2) : text} ${symbol}`;
}

function utc(seconds) {
  return new Date(Number(seconds) * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

function relative(seconds, now) {
  const diff = Number(seconds) - Number(now);
  const abs = Math.abs(diff);
  const [unit, size] = abs >= 86400 ? ["day", 86400] : abs >= 3600 ? ["hour", 3600] : ["minute", 60];
  const n = Math.max(1, Math.round(abs / size));
  return diff >= 0 ? `in ${n} ${unit}${n > 1 ? "s" : ""}` : `${n} ${unit}${n > 1 ? "s" : ""} ago`;
}

async function api(path, options) {
  const response = await fetch(path, options);
  const data = await response.json();
  if (!response.ok) {
    const error = new Error(data.error || `HTTP ${response.status}`);
    error.status = response.status;
    error.retryAfter = Number(response.headers.get("Retry-After")) || 0;
    throw error;
  }
  return data;
}

// --- wallets: EIP-6963 discovery, window.ethereum fallback ----------------------------------

window.addEventListener("eip6963:announceProvider", (event) => {
  const { info, provider } = event.detail || {};
  if (info?.uuid && provider?.request) {
    state.wallets.set(info.uuid, { info, provider });
    renderWallet();
  }
});

function discoverWallets() {
  window.dispatchEvent(new Event("eip6963:requestProvider"));
}

function availableWallets() {
  const list = [...state.wallets.values()];
  if (list.length === 0 && window.ethereum?.request) {
    list.push({ info: { uuid: "window.ethereum", name: "Browser wallet" }, provider: window.ethereum });
  }
  return list;
}

const REMEMBERED = "bountychain.wallet";  // localStorage: the wallet this browser last connected

function walletKey(wallet) {
  return wallet.info.rdns || wallet.info.uuid;
}

async function connect(wallet, { silent = false } = {}) {
  // Silent (on load, for the remembered wallet): eth_accounts never prompts, and answers [] when
  // the site is no longer authorised.
  const accounts = await wallet.provider.request({ method: silent ? "eth_accounts" : "eth_requestAccounts" });
  if (silent && !accounts?.length) { localStorage.removeItem(REMEMBERED); return; }
  state.wallet = wallet;
  localStorage.setItem(REMEMBERED, walletKey(wallet));
  state.account = accounts?.[0] ? ethers.getAddress(accounts[0]) : null;
  if (wallet.provider.on) {
    wallet.provider.on("accountsChanged", (list) => {
      state.account = list?.[0] ? ethers.getAddress(list[0]) : null;
      refresh();
    });
    wallet.provider.on("chainChanged", () => refresh());
  }
  await refresh();
}

function disconnect() {
  localStorage.removeItem(REMEMBERED);
  state.wallet = null;
  state.account = null;
  state.chainOk = false;
  $("#chain-banner").hidden = true;
  refresh();
}

// The remembered wallet, reconnected without a prompt if it still authorises this site.
async function reconnect() {
  const key = localStorage.getItem(REMEMBERED);
  const wallet = key && availableWallets().find((w) => walletKey(w) === key);
  if (wallet) await connect(wallet, { silent: true }).catch(() => localStorage.removeItem(REMEMBERED));
}

// A wallet's chain by name (the chains people know: bountychain.chains), else by its id.
function chainLabel(chainId) {
  return state.info.known_chains[String(chainId)] ?? chainOf(Number(chainId))?.chain_name ?? `another chain (id ${chainId})`;
}

async function checkChain() {
  const banner = $("#chain-banner");
  if (!state.wallet || !state.chain) {  // no wallet, or a list of several chains' bounties
    banner.hidden = true;
    return;
  }
  const chainId = await state.wallet.provider.request({ method: "eth_chainId" });
  state.chainOk = BigInt(chainId) === BigInt(state.chain.chain_id);
  banner.replaceChildren();
  banner.hidden = state.chainOk;
  if (!state.chainOk) {
    banner.append(
      h("span", { id: "wrong-chain" }, `Your wallet is on ${chainLabel(BigInt(chainId))}; `
        + `${severalChains() ? "this bounty's" : "the"} escrow is on ${state.chain.chain_name}.`),
      h("button", { type: "button", onclick: switchChain }, `Switch to ${state.chain.chain_name}`),
    );
  }
}

async function switchChain() {
  const provider = state.wallet.provider;
  try {
    await provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId: state.chain.chain_id_hex }] });
  } catch (error) {
    if (error?.code === 4902 && state.info.public_rpc && !severalChains()) {
      await provider.request({ method: "wallet_addEthereumChain", params: [{
        chainId: state.chain.chain_id_hex, chainName: state.chain.chain_name, rpcUrls: [state.info.public_rpc],
        nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 } }] });
    } else {
      alert(`The wallet could not switch: ${error?.message || error}`);
    }
  }
  await refresh();
}

function renderWallet() {
  const box = $("#wallet");
  box.replaceChildren();
  if (state.account) {
    box.append(h("a", { class: "account", id: "account", title: state.account, href: `/funder/${state.account}`, dataset: { nav: "" } },
      `${state.wallet.info.name}: ${short(state.account)}`),
    h("button", { type: "button", class: "secondary", id: "disconnect", onclick: disconnect }, "Disconnect"));
    return;
  }
  const wallets = availableWallets();
  if (wallets.length <= 1) {
    box.append(h("button", { id: "connect", type: "button", disabled: wallets.length === 0,
      title: wallets.length ? "" : "No browser wallet found", onclick: () => connect(wallets[0]).catch(showFatal) },
      wallets.length ? "Connect wallet" : "No wallet found"));
  } else {
    box.append(h("span", { class: "muted" }, "Connect:"), h("div", { class: "wallet-menu" }, wallets.map((wallet) =>
      h("button", { type: "button", class: "secondary", dataset: { wallet: wallet.info.name },
        onclick: () => connect(wallet).catch(showFatal) },
        wallet.info.icon?.startsWith("data:image/") ? h("img", { src: wallet.info.icon, alt: "" }) : null,
        wallet.info.name))));
  }
}

// --- transactions: each step's progress, the contract's reason on a revert -------------------

function revertData(error) {
  for (const candidate of [error?.data, error?.info?.error?.data, error?.error?.data, error?.info?.error?.data?.data,
    error?.error?.error?.data]) {
    if (typeof candidate === "string" && candidate.startsWith("0x") && candidate.length >= 10) return candidate;
  }
  return null;
}

export function describeError(error) {
  if (error?.code === "ACTION_REJECTED" || error?.code === 4001 || error?.info?.error?.code === 4001) {
    return "you declined the request in your wallet";
  }
  let parsed = null;
  const data = revertData(error);
  if (data) {
    for (const iface of [state.escrowIface, state.reviewIface, state.tokenIface]) {
      try { parsed = iface.parseError(data); } catch { parsed = null; }
      if (parsed) break;
    }
  }
  if (!parsed && error?.revert?.name) parsed = error.revert;
  if (parsed) {
    const names = parsed.fragment ? parsed.fragment.inputs.map((input) => input.name) : [];
    const args = {};
    names.forEach((name, i) => { args[name] = parsed.args[i]; });
    if ("status" in args) args.status_name = STATUS_NAMES[Number(args.status)] ?? String(args.status);
    if ("state" in args) args.proposal_state_name = PROPOSAL_STATE_NAMES[Number(args.state)] ?? String(args.state);
    const template = state.info.errors[parsed.name];
    const meaning = template ? template.replace(/\{(\w+)\}/g, (_, key) => String(args[key] ?? `{${key}}`)) : "";
    return `the escrow refused: ${parsed.name}${meaning ? ` (${meaning})` : ""}`;
  }
  return error?.shortMessage || error?.message || String(error);
}

async function runSteps(list, steps, { keep = false } = {}) {
  if (!keep) list.replaceChildren();
  for (const step of steps) {
    const item = h("li", { class: "pending" }, `${step.label}: confirm in your wallet…`);
    list.append(item);
    try {
      const tx = await step.send();
      item.replaceChildren(`${step.label}: sent `, txLink(tx.hash), ", waiting for the block…");
      const receipt = await tx.wait();
      step.done?.(receipt);
      item.className = "done";
      item.replaceChildren(`${step.label}: confirmed in block ${receipt.blockNumber} (tx `, txLink(tx.hash), ")");
    } catch (error) {
      item.className = "failed";
      item.textContent = `${step.label} failed: ${describeError(error)}`;
      return false;
    }
  }
  const sync = h("li", { class: "pending" }, "updating the index…");
  list.append(sync);
  try {
    let result;
    try {
      result = await api("/api/sync", { method: "POST" });
    } catch (error) {  // asked too often (429): the server says when to ask again
      if (error.status !== 429) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000 * (error.retryAfter || 1)));
      result = await api("/api/sync", { method: "POST" });
    }
    sync.className = "done";
    const indexed = (result.chains ?? []).find((c) => c.chain_id === state.chain?.chain_id);
    sync.textContent = `index updated to block ${indexed?.cursor ?? result.cursor}`
      + (severalChains() && indexed ? ` on ${indexed.chain_name}` : "");
  } catch (error) {
    sync.className = "failed";
    sync.textContent = `the index did not update yet (${error.message}); it retries by itself`;
  }
  return true;
}

async function signer() {
  const provider = new ethers.BrowserProvider(state.wallet.provider, "any", { pollingInterval: 250 });
  return provider.getSigner(state.account);
}

async function pledge(bounty, text, list) {
  let value;
  try {
    // Parsed by the server with the SDK's and the command line's rules (bountychain.amounts).
    const parsed = await api(`/api/amount?bounty=${bounty.bounty_id}&chain=${bounty.chain_id}&text=${encodeURIComponent(text)}`);
    value = BigInt(parsed.amount);
  } catch (error) {
    list.replaceChildren(h("li", { class: "failed" }, `"${text}" is not an amount of ${bounty.symbol}: ${error.message}`));
    return false;
  }
  if (value <= 0n) {
    list.replaceChildren(h("li", { class: "failed" }, "the amount must be positive"));
    return false;
  }
  const wallet = await signer();
  const escrow = new ethers.Contract(state.chain.escrow, state.info.escrow_abi, wallet);
  const fmt = (v) => amount(v, bounty.decimals, bounty.symbol);
  const label = `pledge ${fmt(value)}`;
  const refuse = (text) => { list.replaceChildren(h("li", { class: "failed", id: "pledge-refused" }, text)); return false; };
  // The lock the page showed (the deadline): the escrow refuses the pledge (LockTooLong) if the
  // deadline moved later before it is mined.
  const maxUnlocksAt = BigInt(bounty.deadline);
  // Checked before anything is sent, as the command line does: a pledge the funder cannot pay
  // would fail after an approve was mined, spending gas and leaving an allowance behind.
  if (bounty.token === ethers.ZeroAddress) {
    const balance = await wallet.provider.getBalance(state.account);
    if (balance < value) {
      return refuse(`You hold ${fmt(balance)}, less than the ${fmt(value)} you want to pledge (and the gas): nothing was sent.`);
    }
    return runSteps(list, [{ label, send: () => escrow.pledge(bounty.bounty_id, value, maxUnlocksAt, { value }) }]);
  }
  const token = new ethers.Contract(bounty.token, state.info.token_abi, wallet);
  const [held, allowance] = await Promise.all([token.balanceOf(state.account), token.allowance(state.account, state.chain.escrow)]);
  if (held < value) {
    return refuse(`You hold ${fmt(held)}, less than the ${fmt(value)} you want to pledge: nothing was sent.`);
  }
  // A token with EIP-2612: one transaction, carrying a signed permit for exactly this amount.
  const domain = allowance === value ? null : await permitDomain(bounty.token, wallet);
  if (domain) {
    let permit;
    const item = h("li", { class: "pending" }, `sign a permit for the escrow to take exactly ${fmt(value)}: confirm in your wallet…`);
    list.replaceChildren(item);
    try {
      permit = await signPermit(wallet, bounty.token, domain, value);
    } catch (error) {
      item.className = "failed";
      item.textContent = `the permit was not signed: ${describeError(error)}; nothing was sent`;
      return false;
    }
    item.className = "done";
    item.textContent = `permit signed for exactly ${fmt(value)} (no transaction, no gas)`;
    return runSteps(list, [{ label: `${label} with the permit`, send: () => escrow.pledgeWithPermit(
      bounty.bounty_id, value, maxUnlocksAt, permit.deadline, permit.v, permit.r, permit.s) }], { keep: true });
  }
  // Else approve exactly the amount (resetting a different allowance to 0 first, for
  // USDT-style tokens), then pledge.
  const steps = [];
  if (allowance !== value) {
    if (allowance !== 0n) steps.push({ label: "reset the allowance to 0", send: () => token.approve(state.chain.escrow, 0n) });
    steps.push({ label: `approve the escrow for exactly ${amount(value, bounty.decimals, bounty.symbol)}`,
      send: () => token.approve(state.chain.escrow, value) });
  }
  steps.push({ label, send: () => escrow.pledge(bounty.bounty_id, value, maxUnlocksAt) });
  return runSteps(list, steps);
}

// EIP-2612 (the SDK's rule): the token has DOMAIN_SEPARATOR() and nonces(), and its domain
// (EIP-5267's eip712Domain(), else its name and version "1") hashes to that separator.
const PERMIT_ABI = ["function DOMAIN_SEPARATOR() view returns (bytes32)", "function nonces(address) view returns (uint256)",
  "function name() view returns (string)",
  "function eip712Domain() view returns (bytes1, string, string, uint256, address, bytes32, uint256[])"];
const PERMIT_TYPES = { Permit: [{ name: "owner", type: "address" }, { name: "spender", type: "address" },
  { name: "value", type: "uint256" }, { name: "nonce", type: "uint256" }, { name: "deadline", type: "uint256" }] };
const PERMIT_VALIDITY = 3600n;  // seconds a permit stays usable

async function permitDomain(address, runner) {
  const token = new ethers.Contract(address, PERMIT_ABI, runner);
  let separator;
  try {
    separator = await token.DOMAIN_SEPARATOR();
    await token.nonces(state.account);
  } catch { return null; }  // not EIP-2612
  let domain;
  try {
    const [, name, version, chainId, verifyingContract] = await token.eip712Domain();
    domain = { name, version, chainId, verifyingContract };
  } catch {
    try { domain = { name: await token.name(), version: "1", chainId: BigInt(state.chain.chain_id), verifyingContract: address }; }
    catch { return null; }
  }
  return ethers.TypedDataEncoder.hashDomain(domain) === separator ? domain : null;
}

async function signPermit(wallet, address, domain, value) {
  const token = new ethers.Contract(address, PERMIT_ABI, wallet);
  const latest = await wallet.provider.getBlock("latest");
  const deadline = BigInt(latest.timestamp) + PERMIT_VALIDITY;
  const nonce = await token.nonces(state.account);
  const signature = ethers.Signature.from(await wallet.signTypedData(domain, PERMIT_TYPES,
    { owner: state.account, spender: state.chain.escrow, value, nonce, deadline }));
  return { deadline, v: signature.v, r: signature.r, s: signature.s };
}

// Refuses, before anything is sent, a solution this hunter already registered on the bounty
// (the command line's rule: it would count once, and a bond would be posted twice).
function alreadySubmitted(claims, uri) {
  const same = (a) => a.trim().replace(/\/+$/, "").toLowerCase() === uri.trim().replace(/\/+$/, "").toLowerCase();
  return claims.find((c) => c.hunter === state.account && same(c.uri)) ?? null;
}

// Registers a claim (`uri`: a solution's URL or a report's commitment), posting the bounty's
// claim bond with it: ETH goes with the call, a token is approved for exactly the bond first.
// The bond and the balance are checked before anything is sent. `done(receipt)` follows.
async function submitSolution(bounty, data, uri, list, done, what = "the solution") {
  const refuse = (text) => { list.replaceChildren(h("li", { class: "failed", id: "submit-refused" }, text)); return false; };
  if (isIssueUrl(uri, state.info.issue_hosts ?? {})) {
    return refuse(`${uri.trim()} is an issue, not a solution: link the pull request or commit that solves it; `
      + "nothing was sent.");
  }
  const duplicate = alreadySubmitted(data.claims, uri);
  if (duplicate) {
    return refuse(`You already submitted ${uri.trim()} to this bounty as claim ${duplicate.claim_id}: `
      + "it counts once, so nothing was sent.");
  }
  const wallet = await signer();
  const escrow = new ethers.Contract(state.chain.escrow, state.info.escrow_abi, wallet);
  const bond = BigInt(data.bond ?? "0");
  const fmt = (v) => amount(v, bounty.decimals, bounty.symbol);
  const steps = [];
  let value = 0n;
  if (bond > 0n && bounty.token === ethers.ZeroAddress) {
    const balance = await wallet.provider.getBalance(state.account);
    if (balance < bond) return refuse(`You hold ${fmt(balance)}, less than the claim bond of ${fmt(bond)} (and the gas): nothing was sent.`);
    value = bond;
  } else if (bond > 0n) {
    const token = new ethers.Contract(bounty.token, state.info.token_abi, wallet);
    const [held, allowance] = await Promise.all([token.balanceOf(state.account), token.allowance(state.account, state.chain.escrow)]);
    if (held < bond) return refuse(`You hold ${fmt(held)}, less than the claim bond of ${fmt(bond)}: nothing was sent.`);
    if (allowance !== bond) {
      if (allowance !== 0n) steps.push({ label: "reset the allowance to 0", send: () => token.approve(state.chain.escrow, 0n) });
      steps.push({ label: `approve the escrow for exactly the bond, ${fmt(bond)}`, send: () => token.approve(state.chain.escrow, bond) });
    }
  }
  steps.push({ label: bond > 0n ? `submit ${what} with its claim bond of ${fmt(bond)}` : `submit ${what}`,
    send: () => escrow.submitSolution(bounty.bounty_id, uri.trim(), { value }), done });
  return runSteps(list, steps);
}

// The claim id a submission got, from its SolutionSubmitted event.
function claimIdOf(receipt) {
  const iface = new ethers.Interface(state.info.escrow_abi);
  for (const log of receipt.logs) {
    const parsed = (() => { try { return iface.parseLog(log); } catch { return null; } })();
    if (parsed?.name === "SolutionSubmitted") return Number(parsed.args.claimId);
  }
  return null;
}

async function refund(bounty, list) {
  const escrow = new ethers.Contract(state.chain.escrow, state.info.escrow_abi, await signer());
  return runSteps(list, [{ label: "refund", send: () => escrow.refund(bounty.bounty_id) }]);
}

async function withdrawRaised(fundraiser, list) {
  const escrow = new ethers.Contract(state.chain.escrow, state.info.escrow_abi, await signer());
  return runSteps(list, [{ label: "pay the raised total to the beneficiary",
    send: () => escrow.withdrawRaised(fundraiser.bounty_id) }]);
}

// `partBps` below 10,000 pays a milestone (`awardPart`): that share of the pool now, split as
// `split` says ({ ids, bps }, from checkSplit); the rest stays open under the same deadline and locks.
async function award(bounty, split, list, partBps = BPS) {
  const escrow = new ethers.Contract(state.chain.escrow, state.info.escrow_abi, await signer());
  if (partBps < BPS) {
    return runSteps(list, [{ label: `pay ${percentOf(partBps)} of the pool now (a milestone)`,
      send: () => escrow.awardPart(bounty.bounty_id, partBps, split.ids, split.bps) }]);
  }
  return runSteps(list, [{ label: "award", send: () => escrow.award(bounty.bounty_id, split.ids, split.bps) }]);
}

// Backer governance, on the review contract (the escrow's review()): the approver of a reviewed
// bounty proposes (same split as an award); funders object; anyone finalizes, escalates or
// lapses; a plain arbiter decides a blocked or escalated proposal.
async function reviewContract() {
  return new ethers.Contract(state.chain.review, state.info.review_abi, await signer());
}

// Below 10,000 basis points, a milestone (`proposePart`): reviewed like a whole award, it pays
// that part of the pledges nobody withholds, and the bounty stays open.
async function propose(bounty, split, list, partBps = BPS) {
  const review = await reviewContract();
  if (partBps < BPS) {
    return runSteps(list, [{ label: `propose a milestone of ${percentOf(partBps)} of the pool`,
      send: () => review.proposePart(bounty.bounty_id, partBps, split.ids, split.bps) }]);
  }
  return runSteps(list, [{ label: "propose the award", send: () => review.propose(bounty.bounty_id, split.ids, split.bps) }]);
}

const RULINGS = { pay: 1n, reject: 2n };

async function reviewStep(bounty, step, list) {
  const review = await reviewContract();
  const id = bounty.bounty_id;
  if (step === "object") return runSteps(list, [{ label: "object to the proposal", send: () => review.object(id) }]);
  if (step === "lapse") return runSteps(list, [{ label: "lapse the proposal", send: () => review.lapse(id) }]);
  if (step === "finalize") {
    const ids = bounty.proposed_claims.map((c) => BigInt(c));
    const bps = bounty.proposed_shares.map((b) => BigInt(b));
    return runSteps(list, [{ label: "finalize the proposal", send: () => review.finalize(id, ids, bps) }]);
  }
  if (step in RULINGS) {
    // A plain arbiter decides by bounty and proposal number: a late decision never reaches a newer proposal.
    return runSteps(list, [{ label: step === "pay" ? "decide for the proposal" : "reject the proposal",
      send: () => review.decide(id, BigInt(bounty.proposal_nonce), RULINGS[step]) }]);
  }
  // escalate: an ERC-792 arbitrator is paid its arbitrationCost("") in ETH; a plain arbiter nothing.
  let fee = 0n;
  if (bounty.arbiter_is_erc792) {
    const provider = new ethers.BrowserProvider(state.wallet.provider, "any");
    fee = await new ethers.Contract(bounty.arbiter, state.info.arbitrator_abi, provider).arbitrationCost("0x");
  }
  const label = fee > 0n ? `escalate to the arbiter, paying ${amount(fee, 18, "ETH")}` : "escalate to the arbiter";
  return runSteps(list, [{ label, send: () => review.escalate(id, { value: fee }) }]);
}

// --- pages -----------------------------------------------------------------------------------

function badge(status) {
  return h("span", { class: `badge ${status}`, dataset: { status } }, statusWord(status));
}

const BOUNTY_STATUSES = ["open", "expired", "under_review", "awarded", "cancelled"];
const FUNDRAISER_STATUSES = ["raising", "succeeded", "failed", "paid", "cancelled", "lapsed"];

// The share of the goal raised, in thousandths (a <progress> value), with exact integers.
function permille(raised, goal) {
  const g = BigInt(goal);
  if (g === 0n) return null;
  const p = (BigInt(raised) * 1000n) / g;
  return Number(p > 1000n ? 1000n : p);
}

function percentText(raised, goal) {
  const g = BigInt(goal);
  return g === 0n ? "no goal" : `${((BigInt(raised) * 100n) / g).toString()}% of the goal`;
}

function goalBar(f, id) {
  const value = permille(f.raised, f.goal);
  if (value === null) return null;
  return h("progress", { class: "goal", id, max: "1000", value: String(value),
    "aria-label": percentText(f.raised, f.goal), title: percentText(f.raised, f.goal) });
}

function kindText(f) {
  return f.all_or_nothing ? "all-or-nothing" : "flexible";
}

function fundraiserCard(f, now) {
  const fmt = (value) => amount(value, f.decimals, f.symbol);
  return h("article", { class: "card fundraiser", dataset: { bountyId: f.bounty_id } },
    h("div", { class: "title" }, h("a", { href: `/fundraiser/${f.bounty_id}${chainQuery(f)}`, dataset: { nav: "" } },
      `#${f.bounty_id}`), " ", safeLink(f.uri)),
    h("div", { class: "amount", dataset: { raised: f.raised } }, fmt(f.raised),
      BigInt(f.goal) > 0n ? h("span", { class: "of-goal" }, ` of ${fmt(f.goal)}`) : null, tokenTag(f)),
    h("div", { class: "bar-row" }, goalBar(f, null), h("span", { class: "muted pct" }, percentText(f.raised, f.goal))),
    h("div", { class: "meta" }, badge(f.status), chainTag(f), h("span", { class: "kind" }, kindText(f)),
      h("span", { title: f.beneficiary }, `for ${short(f.beneficiary)}`),
      ["cancelled", "paid"].includes(f.status) ? null : h("span", { title: utc(f.deadline) }, `deadline ${relative(f.deadline, now)}`),
      h("span", {}, `${f.funder_count} backer${f.funder_count === 1 ? "" : "s"}`)),
    h("div", { class: "meta" }, f.status === "paid" ? `paid ${fmt(f.paid_out)} to the beneficiary` : ""));
}

function bountyCard(b, now) {
  return h("article", { class: "card", dataset: { bountyId: b.bounty_id } },
    h("div", { class: "title" }, h("a", { href: `/bounty/${b.bounty_id}${chainQuery(b)}`, dataset: { nav: "" } },
      `#${b.bounty_id}`), " ", safeLink(b.uri)),
    // Once awarded, what was paid (nothing is held any more); else what is held.
    b.status === "awarded" ? h("div", { class: "amount", dataset: { paid: b.paid_out } }, h("span", { class: "of-goal" }, "paid "),
      amount(b.paid_out, b.decimals, b.symbol), tokenTag(b))
      : h("div", { class: "amount", dataset: { total: b.total } }, amount(b.total, b.decimals, b.symbol), tokenTag(b)),
    h("div", { class: "meta" }, badge(b.status), chainTag(b), h("span", {}, b.repo),
      ["awarded", "cancelled"].includes(b.status) ? null : h("span", { title: utc(b.deadline) }, `deadline ${relative(b.deadline, now)}`),
      h("span", {}, `${b.funder_count} funder${b.funder_count === 1 ? "" : "s"}`),
      h("span", {}, `${b.claim_count} solution${b.claim_count === 1 ? "" : "s"}`),
      b.optimistic ? h("span", { class: "review-tag" }, "backer review") : null,
      LIVE_PROPOSAL.includes(b.proposal_state) ? h("span", { class: "proposal-tag", title: utc(b.window_end) },
        // A milestone's part when the index records it (`proposed_part_bps`; 0: the whole pool).
        `${Number(b.proposed_part_bps) > 0 ? `milestone of ${percentOf(Number(b.proposed_part_bps))}` : "proposal"} ${b.proposal_state}`
        + (b.proposal_state === "pending" ? `, window ends ${relative(b.window_end, now)}` : ""))
        : null),
    b.status === "awarded" && BigInt(b.total) > 0n ? h("div", { class: "meta" }, `${amount(b.total, b.decimals, b.symbol)} still held for objecting funders`) : null,
    b.solutions.length ? h("ul", { class: "solutions" }, b.solutions.map((c) => h("li", {},
      `solution ${c.claim_id}: `, solutionCell(c), c.paid !== "0" ? ` (paid ${amount(c.paid, b.decimals, b.symbol)})` : "")))
      : null);
}

async function renderList() {
  const params = new URLSearchParams(location.search);
  // The GitHub bot's create link (/?create=ISSUE&amount=50&token=ADDRESS&lock=30d) prefills the
  // create form; its parameters are not the list's filters.
  const prefill = params.has("create") ? { uri: params.get("create"), amount: params.get("amount") || "",
    token: params.get("token") || "", lock: params.get("lock") || "" } : null;
  const filters_ = new URLSearchParams([...params].filter(([key]) => key !== "link-github"
    && !(prefill && ["create", "amount", "token", "lock"].includes(key))));
  const data = await api(`/api/bounties?${filters_}`);
  showIndex(data.index);
  const chain = params.get("chain") || "";
  // Actions are taken on a bounty's own page; the banner asks for a chain only when one is in view.
  const inView = severalChains() ? state.info.chains.find((c) => c.shorthand === chain || String(c.chain_id) === chain) ?? null
    : state.info.chains[0];
  if (inView !== state.chain) {  // refresh() checked the wallet against the chain before this one
    state.chain = inView;
    await checkChain();
  }
  const kind = params.get("kind") || "";
  const status = params.get("status") || "";
  const filters = h("form", { class: "filters", id: "filters", onsubmit: (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const query = new URLSearchParams([...form].filter(([, v]) => v));
    navigate(`/${query.size ? `?${query}` : ""}`);
  } },
  h("input", { name: "repo", placeholder: "owner/repository", value: params.get("repo") || "" }),
  severalChains() ? h("select", { name: "chain", id: "chain-filter" }, h("option", { value: "", selected: !chain }, "every chain"),
    state.info.chains.map((c) => h("option", { value: c.shorthand, selected: chain === c.shorthand || chain === String(c.chain_id) },
      c.chain_name))) : null,
  h("select", { name: "kind" }, [["", "bounties and fundraisers"], ["bounty", "bounties"], ["fundraiser", "fundraisers"]]
    .map(([value, label]) => h("option", { value, selected: kind === value }, label))),
  h("select", { name: "status" }, h("option", { value: "", selected: !status }, "any status"),
    h("optgroup", { label: "bounties" }, BOUNTY_STATUSES.map((s) => h("option", { value: s, selected: status === s }, statusWord(s)))),
    h("optgroup", { label: "fundraisers" }, FUNDRAISER_STATUSES.filter((s) => !BOUNTY_STATUSES.includes(s))
      .map((s) => h("option", { value: s, selected: status === s }, statusWord(s))))),
  h("select", { name: "sort" }, [["", "newest first"], ["amount", "most held first"], ["deadline", "soonest deadline first"]]
    .map(([value, label]) => h("option", { value, selected: (params.get("sort") || "") === value }, label))),
  h("button", { type: "submit", class: "secondary" }, "Filter"));
  const bounties = data.bounties.filter((b) => b.kind !== "fundraiser");
  const fundraisers = data.bounties.filter((b) => b.kind === "fundraiser");
  const sections = [];
  if (kind !== "fundraiser") {
    sections.push(h("h2", {}, "Bounties"),
      h("p", { class: "muted" }, "Pledges on an issue: they go to the hunter the approver awards, or back to their funder."),
      bounties.length ? h("div", { class: "cards", id: "bounties" }, issueGroups(bounties, data.index))
        : h("p", { class: "muted", id: "bounties" }, "No bounty matches."));
  }
  if (kind !== "bounty") {
    sections.push(h("h2", {}, "Fundraisers"),
      h("p", { class: "muted" }, "A project raises toward a goal by a deadline: all-or-nothing pays out only if the goal is reached (else backers refund), flexible pays out what was raised."),
      fundraisers.length ? h("div", { class: "cards", id: "fundraisers" }, fundraisers.map((f) => card(fundraiserCard, f, nowOf(f, data.index))))
        : h("p", { class: "muted", id: "fundraisers" }, "No fundraiser matches."));
  }
  showView(h("h1", {}, kind === "fundraiser" ? "Fundraisers" : kind === "bounty" ? "Bounties"
    : "Bounties and fundraisers"),
  h("p", { class: "muted" }, "Pledges are held by the escrow contract, not a company: they leave it only to whom the rules say, or back to their funder."),
  params.has("link-github") ? linkGithubPanel(params.get("link-github")) : null,
  state.account && state.chainOk ? createPanel(prefill)
    : prefill ? h("p", { class: "panel", id: "create-connect" }, `Connect a wallet to post a bounty on ${prefill.uri}.`) : null,
  filters, ...sections, pager(params, data));
}

// The API answers a page at a time: where this one is among all that match, and the way on.
function pager(params, data) {
  const shown = data.bounties.length;
  const at = (offset) => {
    const query = new URLSearchParams(params);
    if (offset) query.set("offset", offset); else query.delete("offset");
    return `/?${query}`;
  };
  const previous = Math.max(0, data.offset - data.limit);
  return h("nav", { class: "pager", id: "pager" },
    h("span", { class: "muted" }, shown ? `showing ${data.offset + 1} to ${data.offset + shown} of ${data.count}`
      : `none of ${data.count} here`),
    data.offset > 0 ? h("a", { href: at(previous), dataset: { nav: "" } }, "previous page") : null,
    data.offset + shown < data.count ? h("a", { href: at(data.offset + shown), dataset: { nav: "" } }, "next page") : null);
}

function showIndex(index) {
  const chains = index.chains ?? [];
  $("#index-info").textContent = chains.length > 1
    ? `index at ${chains.map((c) => `block ${c.cursor} on ${c.chain_name}`).join(", ")}`
    : index.cursor !== null ? `index at block ${index.cursor}` : "index empty";
}

async function renderBounty(id) {
  const query = new URLSearchParams(location.search);
  const picked = new URLSearchParams([...query].filter(([key]) => key === "chain" || key === "escrow"));
  const data = await api(`/api/bounties/${id}${picked.size ? `?${picked}` : ""}`);
  showIndex(data.index);
  const bountyEscrow = data.bounty.escrow.toLowerCase();
  if (state.chain?.chain_id !== data.bounty.chain_id || state.chain.escrow.toLowerCase() !== bountyEscrow) {
    // Actions go to this bounty's own escrow: a chain's older escrows still hold bounties.
    const chain = chainOf(data.bounty.chain_id);
    const own = chain.escrows?.find((e) => e.escrow.toLowerCase() === bountyEscrow) ?? chain;
    state.chain = { ...chain, escrow: own.escrow, review: own.review };
    await checkChain();
  }
  if (data.bounty.kind === "fundraiser") return renderFundraiser(id, data);
  const b = data.bounty;
  const now = nowOf(b, data.index);
  const fmt = (value) => amount(value, b.decimals, b.symbol);
  const progress = h("ol", { class: "progress", id: "progress" });
  // After an action, the page is drawn again; what the action did moves into the new progress
  // list, which the new forms write to (a later action's refusal must show).
  const after = async (ok) => { if (ok) await renderBounty(id).then(() => $("#progress").replaceChildren(...progress.childNodes)); };
  const open = b.status === "open";
  const panels = [];
  if (!state.account && availableWallets().length === 0) {
    panels.push(noWalletPanel(b, open));
  } else if (!state.account) {
    panels.push(h("div", { class: "panel" }, h("h3", {}, "Act on this bounty"),
      h("p", { class: "muted" }, b.status === "under_review"
        ? "Connect a wallet to object (if you pledged), or to finalize, escalate or lapse the proposal when its time comes."
        : `Connect a wallet to pledge, submit a solution or ${b.optimistic ? "propose an award" : "award"}.`)));
  } else if (!state.chainOk) {
    panels.push(h("div", { class: "panel" }, h("p", {}, "Switch your wallet to the escrow's chain first.")));
  } else if (b.status === "under_review") {
    panels.push(reviewPanel(b, data, now, progress, after));
  } else if (!open) {
    const mine = data.pledges.find((p) => p.funder === state.account && p.state === "refundable");
    panels.push(h("div", { class: "panel" }, h("h3", {}, `This bounty is ${b.status}`),
      mine ? h("form", { id: "refund-form", onsubmit: async (event) => {
        event.preventDefault();
        await after(await refund(b, progress));
      } }, h("span", {}, b.status === "awarded"
        ? `You objected to the award: your withheld pledge of ${fmt(mine.outstanding)} did not fund it and can be taken back.`
        : `Your pledge of ${fmt(mine.outstanding)} can be taken back.`),
      h("button", { type: "submit" }, "Refund my pledge"))
        : h("p", { class: "muted" }, b.status === "awarded" ? "Its pledges were paid to the winners."
          : "It takes no more pledges, solutions or awards; funders take their pledges back.")));
  } else {
    panels.push(h("div", { class: "panel" }, h("h3", {}, `Pledge ${b.symbol}`),
      h("form", { id: "pledge-form", onsubmit: async (event) => {
        event.preventDefault();
        const button = event.target.querySelector("button");
        button.disabled = true;
        try { await after(await pledge(b, event.target.amount.value, progress)); } finally { button.disabled = false; }
      } }, h("input", { name: "amount", placeholder: `amount in ${b.symbol}`, inputmode: "decimal", required: true }),
      h("button", { type: "submit" }, "Pledge")),
      h("p", { class: "muted" }, `Locked until the deadline, ${utc(b.deadline)}; refundable after it if not awarded.`)));
    panels.push(h("div", { class: "panel" }, h("h3", {}, "Submit a solution"),
      h("form", { id: "submit-form", onsubmit: async (event) => {
        event.preventDefault();
        await after(await submitSolution(b, data, event.target.url.value, progress));
      } }, h("input", { name: "url", type: "url", placeholder: "https://github.com/…/pull/…", required: true }),
      h("button", { type: "submit" }, "Submit")),
      bondNote(b, data)));
    panels.push(reportPanel(b, data, progress, after));
    if (state.account === b.approver && data.claims.length) {
      // An optimistic bounty's approver proposes the split; backers may object during the window.
      const [verb, formId, send] = b.optimistic ? ["Propose", "propose-form", propose] : ["Award", "award-form", award];
      const inputs = {};
      const runningTotal = h("p", { class: "muted", id: "award-total" });
      // The part of the pool paid now: below 100%, a milestone (the rest stays open); on a
      // reviewed bounty the milestone is proposed and reviewed like a whole award.
      const part = h("input", { type: "text", inputmode: "decimal", value: "100", name: "part", "aria-label": "part of the pool paid now" });
      const partBps = () => { try { return checkPart(part.value); } catch { return BPS; } };
      const shareTotal = () => awardTotal(b, inputs, runningTotal, partBps());
      const refuse = (text) => progress.replaceChildren(h("li", { class: "failed", id: "award-refused" }, `${text}: nothing was sent.`));
      panels.push(h("div", { class: "panel" }, h("h3", {}, `${verb} (you are the approver)`),
        // novalidate: every check below names its problem in words (a browser's own bubble would not).
        h("form", { id: formId, novalidate: true, oninput: shareTotal, onsubmit: async (event) => {
          event.preventDefault();
          let split, bps;
          try {  // the command line's checks, before anything is sent
            bps = checkPart(part.value);
            split = checkSplit(Object.fromEntries(Object.entries(inputs).map(([claim, input]) => [claim, input.value])));
            checkSomethingPaid(b.total, bps, fmt);
          } catch (error) {
            return refuse(error.message);
          }
          await after(await send(b, split, progress, bps));
        } }, h("div", { class: "shares" }, data.claims.map((c) => {
          inputs[c.claim_id] = h("input", { type: "number", min: "0", max: "100", step: "0.01", value: "0",
            name: `claim-${c.claim_id}` });
          return h("label", {}, inputs[c.claim_id], `% to claim ${c.claim_id} (${short(c.hunter)})`);
        })), h("label", { class: "part" }, part, "% of the pool paid now (below 100: a milestone, and the rest stays open)"),
        runningTotal, h("button", { type: "submit" }, verb)),
        b.optimistic ? h("p", { class: "muted" }, `Backers then have ${duration(b.review_window)} to object.`) : null));
      shareTotal();
    }
  }
  showView(
    h("p", {}, h("a", { href: "/", dataset: { nav: "" } }, "← all bounties")),
    h("h1", {}, `Bounty #${b.bounty_id} `, badge(b.status)),
    h("p", {}, safeLink(b.uri)),
    h("div", { class: "stats" },
      [["held now", fmt(b.total), "total"], ["pledged in all", fmt(b.pledged)], ["refunded", fmt(b.refunded)],
        ["paid to winners", fmt(b.paid_out), "paid"]]
        .map(([label, value, id]) => h("div", { class: "stat" }, h("div", { class: "label" }, label),
          h("div", { class: "value", id: id ? `stat-${id}` : null }, value)))),
    h("dl", { class: "parties" },
      [["deadline", deadlineText(b, now)], ["issuer", addressLink(b.issuer)], ["approver", addressLink(b.approver)],
        ["currency", b.token === ethers.ZeroAddress ? "ETH" : h("span", {}, `${b.symbol} at `, addressLink(b.token))],
        ...(BigInt(data.bond ?? "0") > 0n ? [["claim bond", `${fmt(data.bond)} per claim`]] : [])]
        .map(([label, value]) => [h("dt", {}, label), h("dd", { id: `bounty-${label.replace(/ /g, "-")}` }, value)])),
    fundingChart(b),
    milestoneSection(b, data),
    b.optimistic ? reviewSection(b, data, now) : null,
    h("h2", {}, "Act"), h("div", { class: "actions" }, panels), progress,
    h("h2", {}, "Pledges"), slashedOwedNote(b, progress, after),
    data.pledges.length ? h("table", { id: "pledges" }, h("tr", {}, ["funder", "pledged", "held", "unlocks", "state"].map((t) => h("th", {}, t))),
      data.pledges.map((p) => h("tr", { dataset: { funder: p.funder } }, h("td", {}, addressLink(p.funder, "funder")), h("td", {}, fmt(p.pledged)),
        h("td", {}, fmt(p.outstanding)), h("td", {}, utc(p.unlocks_at)), h("td", {}, p.state))))
      : h("p", { class: "muted", id: "pledges" }, "No pledges yet."),
    h("h2", {}, "Solutions"),
    data.claims.length ? h("table", { id: "claims" }, h("tr", {}, ["claim", "hunter", "solution", "paid",
      ...(BigInt(data.bond ?? "0") > 0n ? ["bond"] : [])].map((t) => h("th", {}, t))),
      data.claims.map((c) => h("tr", { dataset: { claim: String(c.claim_id) } }, h("td", {}, String(c.claim_id)),
        h("td", {}, addressLink(c.hunter, "hunter")), h("td", {}, solutionCell(c)), h("td", {}, c.paid !== "0" ? fmt(c.paid) : "-"),
        BigInt(data.bond ?? "0") > 0n ? h("td", { class: "bond" }, bondText(data.claim_bonds?.[c.claim_id], fmt),
          spamMarkNote((data.spam_marks ?? []).find((m) => m.claim_id === c.claim_id), fmt), bondAction(b, c, data.claim_bonds?.[c.claim_id], progress, after)) : null)))
      : h("p", { class: "muted", id: "claims" }, "No solutions yet."),
    embedSnippet(b),
  );
  applyPrefill();
}

// --- milestones, claim bonds and private reports (issue 16) ---------------------------------

const percentOf = (bps) => `${(bps / 100).toLocaleString("en", { maximumFractionDigits: 2 })}%`;

// Each partial award: when, what share of the pool, who was paid what; then what is left open.
function milestoneSection(b, data) {
  if (!data.milestones?.length) return null;
  const fmt = (value) => amount(value, b.decimals, b.symbol);
  const left = b.status === "open" ? `Left open for the next milestone: ${fmt(b.total)}, under the same deadline (${utc(b.deadline)}) and locks.`
    : b.status === "awarded" ? "The rest was then awarded in full." : `The rest is ${statusWord(b.status)}: ${fmt(b.total)} held for refunds.`;
  return h("section", { id: "milestones" }, h("h2", {}, "Milestones"),
    h("table", {}, h("tr", {}, ["when", "share of the pool", "paid", "fee", "left pledged after it"].map((t) => h("th", {}, t))),
      data.milestones.map((m, n) => h("tr", { dataset: { milestone: String(n + 1) } },
        h("td", {}, m.time ? utc(m.time) : `block ${m.block_number}`, " (", txLink(m.tx_hash), ")"),
        h("td", {}, `${percentOf(m.part_bps)}: ${fmt(m.pool)}`),
        h("td", {}, m.winners.map((w, i) => h("span", { class: "winner" }, i ? "; " : "", `${fmt(w.amount)} to `,
          addressLink(w.hunter, "hunter"), ` (claim ${w.claim_id}${w.credited ? ", credited: withdraw it" : ""})`))),
        h("td", {}, fmt(m.fee)), h("td", {}, fmt(m.remaining))))),
    h("p", { class: "muted", id: "milestones-left" }, left));
}

// The bond a hunter posts with a claim, shown before it is sent.
function bondNote(b, data) {
  const bond = BigInt(data.bond ?? "0");
  if (bond === 0n) return null;
  return h("p", { class: "muted", id: "bond-note" }, `Claim bond: ${amount(bond, b.decimals, b.symbol)}, posted with your claim. `
    + "It is yours again once the bounty is awarded, cancelled or past its deadline (withdraw it then), unless the "
    + "approver marks the claim as spam while the bounty is open: then it goes to the funders.");
}

// What the connected account may do with a claim's bond: its hunter pulls it back once the
// bounty is awarded, cancelled or past its deadline; the approver marks a claim as spam while
// the bounty is open (the bond then goes to the funders, never to the approver).
function bondAction(b, c, bond, progress, after) {
  if (bond?.state !== "held" || !state.account || !state.chainOk) return null;
  const send = async (label, call) => {
    const escrow = new ethers.Contract(state.chain.escrow, state.info.escrow_abi, await signer());
    await after(await runSteps(progress, [{ label, send: () => call(escrow) }]));
  };
  if (c.hunter === state.account && ["awarded", "cancelled", "expired"].includes(b.status)) {
    return h("button", { type: "button", class: "withdraw-bond", onclick: () => send(
      `withdraw the bond of claim ${c.claim_id}`, (escrow) => escrow.withdrawBond(b.bounty_id, c.claim_id)) }, "Withdraw my bond");
  }
  if (b.approver === state.account && b.status === "open") {
    return h("button", { type: "button", class: "mark-spam", onclick: () => send(
      `mark claim ${c.claim_id} as spam (its bond goes to the funders)`,
      // A reviewed bounty's approver is the review contract: its proposer marks spam there.
      async (escrow) => (b.optimistic ? await reviewContract() : escrow).markSpam(b.bounty_id, c.claim_id)) },
    "Mark as spam");
  }
  return null;
}

// A funder's part of the claim bonds slashed on the bounty (the escrow's `slashedOwed`, read
// through the wallet), shown above the pledges with a button that credits it (`claimSlashed`)
// and withdraws that currency's credit to the wallet (`withdraw`). Checked again before sending.
function slashedOwedNote(b, progress, after) {
  if (!state.account || !state.chainOk) return null;
  const note = h("p", { id: "slashed-owed", hidden: true });
  const fmt = (value) => amount(value, b.decimals, b.symbol);
  const read = async () => {
    const provider = new ethers.BrowserProvider(state.wallet.provider, "any");
    const escrow = new ethers.Contract(state.chain.escrow, state.info.escrow_abi, provider);
    const [owed, credit] = await Promise.all([escrow.slashedOwed(b.bounty_id, state.account), escrow.creditOf(state.account, b.token)]);
    return { owed, credit };
  };
  const take = async (event) => {
    event.target.disabled = true;
    let owed, credit;
    try {
      ({ owed, credit } = await read());
    } catch (error) {
      progress.replaceChildren(h("li", { class: "failed" }, `What slashed bonds owe you could not be read: ${describeError(error)}; nothing was sent.`));
      return;
    }
    if (owed === 0n) {
      progress.replaceChildren(h("li", { class: "failed", id: "slashed-refused" }, "No slashed bond is owed to you on this bounty any more: nothing was sent."));
      return;
    }
    const escrow = new ethers.Contract(state.chain.escrow, state.info.escrow_abi, await signer());
    await after(await runSteps(progress, [
      { label: `credit your part of the slashed claim bonds, ${fmt(owed)}`, send: () => escrow.claimSlashed(b.bounty_id) },
      { label: `withdraw ${fmt(owed + credit)} to your wallet` + (credit > 0n ? ` (with the ${fmt(credit)} already credited to you)` : ""),
        send: () => escrow.withdraw(b.token) }]));
  };
  read().then(({ owed }) => {
    if (owed === 0n) return;
    note.hidden = false;
    note.replaceChildren(`Claim bonds marked as spam on this bounty owe you ${fmt(owed)}, your pledge's part of them. `,
      h("button", { type: "button", id: "claim-slashed", onclick: take }, `Take ${fmt(owed)}`));
  }).catch((error) => console.warn("slashed bonds could not be read:", error));
  return note;
}

const BOND_WORDS = { held: "held", returned: "returned to the hunter", slashed: "slashed (to the funders)" };
function bondText(bond, fmt) {
  return bond ? `${fmt(bond.amount)} ${BOND_WORDS[bond.state] ?? bond.state}` : "-";
}

// Who marked a claim as spam and in which transaction (an older index sends no `spam_marks`).
function spamMarkNote(mark, fmt) {
  if (!mark) return null;
  const who = mark.through_review ? "the proposer, through the review" : "the approver";
  return h("div", { class: "spam-mark muted" }, "marked as spam by ",
    h("span", { class: "mono", title: mark.marked_by }, short(mark.marked_by)),
    ` (${who}) in block ${mark.block_number} (tx `, txLink(mark.tx_hash), `): bond ${fmt(mark.bond)} went to the funders`);
}

function download(name, data, text) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
  return h("a", { href: url, download: name }, text);
}

// A report sealed here, to the contact key the bounty's URI names; only its commitment is sent.
function reportPanel(b, data, progress, after) {
  let contactKey;
  try {
    contactKey = securityKeyOf(b.uri);
  } catch {
    return h("div", { class: "panel" }, h("h3", {}, "Private security report"), h("p", { class: "failed", id: "report-note" },
      "This bounty's security contact key is not a key on secp256k1: do not send it a report."));
  }
  if (!contactKey) return null;
  const fail = (text) => progress.replaceChildren(h("li", { class: "failed", id: "report-refused" }, text));
  return h("div", { class: "panel", id: "report-panel" }, h("h3", {}, "Private security report"),
    h("p", { class: "muted", id: "report-note" }, "A security problem? Do not publish it. Write it here: your browser "
      + "encrypts it to this bounty's security contact and only its hash goes on chain, which proves when you found it. "
      + `The page sends the text nowhere; you send the sealed envelope to the contact. (The command line: \`bountychain report submit ${b.bounty_id} FILE\`.)`),
    h("form", { id: "report-form", onsubmit: async (event) => {
      event.preventDefault();
      const field = event.target.report;
      if (!field.value.trim()) return fail("Write the report first: nothing was sent.");
      const wallet = await signer();
      progress.replaceChildren(h("li", { class: "pending" }, "sign a message so the page learns your public key, for your own copy (no transaction, no gas)…"));
      let hunterKey;
      try {
        hunterKey = await walletPublicKey(wallet, state.account);
      } catch (error) {
        return fail(`your public key is needed for your own copy, and the message was not signed: ${describeError(error)}; nothing was sent`);
      }
      const sealed = await sealReport({ chainId: BigInt(b.chain_id), escrow: state.chain.escrow, bountyId: b.bounty_id,
        hunter: state.account, hunterKey, contactKey, text: field.value });
      const ok = await submitSolution(b, data, sealed.uri, progress, (receipt) => {
        sealed.envelope.claim_id = sealed.bundle.claim_id = claimIdOf(receipt);
      }, "the report's commitment");
      if (!ok) return;
      field.value = "";
      const name = `bounty-${b.bounty_id}-claim-${sealed.envelope.claim_id}`;
      progress.append(h("li", { class: "done", id: "sealed" },
        `Report committed as claim ${sealed.envelope.claim_id}. Send this sealed envelope to the security contact (it holds no plain text): `,
        download(`${name}-envelope.json`, sealed.envelope, "save the envelope"), ". Keep ",
        download(`${name}-reveal.json`, sealed.bundle, "your reveal bundle"),
        " private until the fix is out: it holds the report, and publishing it proves your claim.",
        h("textarea", { id: "sealed-envelope", readonly: true, rows: 6 }, JSON.stringify(sealed.envelope, null, 2))));
      await after(true);
    } }, h("textarea", { name: "report", rows: 5, placeholder: "what you found, how to reproduce it", required: true }),
    h("button", { type: "submit" }, "Seal and commit")));
}

// The GitHub bot's links open a bounty with a form filled in: ?pledge=50, ?claim=PR_URL,
// ?award=CLAIM or ?propose=CLAIM (that claim's share set to 100%). Applied once, when the form
// is there (a wallet connected); the query is then dropped, so a later render starts empty.
function applyPrefill() {
  const params = new URLSearchParams(location.search);
  let applied = false;
  const fill = (input, value) => { if (input && value) { input.value = value; applied = true; } };
  fill($("#pledge-form input[name=amount]"), params.get("pledge"));
  fill($("#submit-form input[name=url]"), params.get("claim"));
  const claim = params.get("award") || params.get("propose");
  if (claim && /^\d+$/.test(claim)) {
    const share = $(`#award-form input[name=claim-${claim}], #propose-form input[name=claim-${claim}]`);
    fill(share, "100");
    share?.form.dispatchEvent(new Event("input"));
  }
  if (applied) history.replaceState(null, "", location.pathname);
}

// The award form's running total: the shares typed so far, in basis points, and what they pay.
function awardTotal(b, inputs, out, partBps = 10000) {
  let bps = 0;
  for (const input of Object.values(inputs)) bps += Math.round((Number(input.value) || 0) * 100);
  const paid = (BigInt(b.total) * BigInt(partBps) / 10000n * BigInt(Math.min(bps, 10000))) / 10000n;
  const pct = `${bps / 100}%`;
  // A proposal pays at most that: a backer's objection withholds its pledge.
  out.textContent = bps === 10000 ? `total 100%: ${b.optimistic ? "would pay at most" : "pays"} ${amount(paid, b.decimals, b.symbol)}`
    : bps > 10000 ? `total ${pct}: the shares must add up to 100%, ${(bps - 10000) / 100}% too many`
      : `total ${pct} (${amount(paid, b.decimals, b.symbol)}): the shares must add up to 100%, ${(10000 - bps) / 100}% to go`;
  out.className = bps === 10000 ? "ok" : "muted";
  return bps;
}

function duration(seconds) {
  const days = Number(seconds) / 86400;
  return Number.isInteger(days) ? `${days} day${days === 1 ? "" : "s"}` : `${Math.round(Number(seconds) / 3600)} hours`;
}

function countdownText(seconds) {
  if (seconds <= 0) return "ended";
  const d = Math.floor(seconds / 86400), hh = Math.floor((seconds % 86400) / 3600);
  const mm = Math.floor((seconds % 3600) / 60), ss = Math.floor(seconds % 60);
  return `${d ? `${d}d ` : ""}${String(hh).padStart(2, "0")}:${String(mm).padStart(2, "0")}:${String(ss).padStart(2, "0")} left`;
}

// A countdown to `end` (chain seconds), from the index's time `now`, ticking with the wall clock.
function countdown(end, now, id) {
  const started = Date.now() / 1000;
  const el = h("span", { class: "countdown", id }, countdownText(Number(end) - Number(now)));
  const timer = setInterval(() => {
    if (!el.isConnected && el.dataset.shown) { clearInterval(timer); return; }
    if (el.isConnected) el.dataset.shown = "1";
    el.textContent = countdownText(Number(end) - Number(now) - (Date.now() / 1000 - started));
  }, 1000);
  return el;
}

function proposalFacts(b, now) {
  const finalizable = (b.proposal_state === "pending" && Number(now) >= Number(b.window_end)) || b.proposal_state === "upheld";
  return {
    live: LIVE_PROPOSAL.includes(b.proposal_state),
    inWindow: b.proposal_state === "pending" && Number(now) < Number(b.window_end),
    finalizable,
    escalatable: b.proposal_state === "blocked" && b.arbiter !== "" && Number(now) < Number(b.decide_by),
    lapsable: ["blocked", "escalated"].includes(b.proposal_state) && Number(now) >= Number(b.decide_by),
    // A plain arbiter decides a blocked proposal (escalated or not) until it lapses.
    decidable: ["blocked", "escalated"].includes(b.proposal_state) && b.arbiter !== "" && !b.arbiter_is_erc792
      && Number(now) < Number(b.decide_by),
  };
}

// The part of the pool a proposal asks, in basis points (10,000: the whole): the index's, when it
// records it; else the review contract's `proposedPart`, read through the wallet on the bounty's
// chain (null without one).
function indexedPart(b) {
  const part = b.proposed_part_bps;
  return part === undefined || part === null ? null : Number(part) || BPS;
}

// Read once per drawing of the page (the proposal's words and the objection form both need it).
const partReads = new WeakMap();
function proposedPartOnChain(b) {
  if (!state.wallet || !state.chainOk || !state.chain?.review) return Promise.resolve(null);
  if (!partReads.has(b)) {
    const provider = new ethers.BrowserProvider(state.wallet.provider, "any");
    partReads.set(b, new ethers.Contract(state.chain.review, state.info.review_abi, provider).proposedPart(b.bounty_id)
      .then((part) => Number(part) || BPS));
  }
  return partReads.get(b);
}

// The review policy, and the latest proposal: split, window end, weight against vs quorum, state.
function reviewSection(b, data, now) {
  const fmt = (value) => amount(value, b.decimals, b.symbol);
  // A quorum exists only with an arbiter: without one, an objection only withholds the objector's pledge.
  const policy = h("dl", { class: "parties", id: "review-policy" },
    [["review", `optimistic: the approver proposes, backers have ${duration(b.review_window)} to object;`
      + " an objection withholds the objector's pledge from the proposal"],
      b.arbiter ? ["quorum", `${b.quorum_bps / 100}% of the pool objecting blocks a proposal: only the arbiter decides it`] : null,
      ["arbiter", b.arbiter ? `${b.arbiter}${b.arbiter_is_erc792 ? " (ERC-792 arbitrator, paid on escalation)" : ""}`
        : "none: no objection can block a proposal; it pays the pledges of the funders who did not object"]]
      .filter(Boolean).map(([label, value]) => [h("dt", {}, label), h("dd", {}, value)]));
  const parts = [h("h2", {}, "Backer review"), policy];
  if (b.proposal_nonce === 0 || b.proposal_state === "none") {
    parts.push(h("p", { class: "muted", id: "proposal" }, b.proposal_nonce === 0 ? "No award proposed yet."
      : `Proposal ${b.proposal_nonce} was rejected; the approver may propose again.`));
    return h("section", { class: "review" }, parts);
  }
  const claims = Object.fromEntries(data.claims.map((c) => [c.claim_id, c]));
  const total = BigInt(b.proposal_total);
  const against = BigInt(b.weight_against);
  const quorum = BigInt(b.quorum_weight);
  const barValue = quorum === 0n ? 0 : Number((against * 1000n) / quorum > 1000n ? 1000n : (against * 1000n) / quorum);
  // What part of the pool it pays is drawn once known (the index, else the review contract).
  const split = h("table", { id: "proposed-split" });
  const words = h("p", { id: "proposal-words" });
  const withheld = h("p", { id: "weight-against" });
  const draw = (partBps) => {
    withheld.textContent = `${fmt(against)} of ${fmt(total)} withheld by objections: `
      + (partBps === null || partBps >= BPS ? `the award would pay ${fmt(total - against)}.`
        : `the milestone would pay at most ${fmt(partOf(total - against, partBps))}.`);
    // Not knowing the part, a share of the whole pool is what it pays at most.
    const pays = partBps === null ? total : partOf(total, partBps);
    split.replaceChildren(h("tr", {}, ["claim", "hunter", "share", "amount"].map((t) => h("th", {}, t))),
      ...b.proposed_claims.map((id, i) => h("tr", {}, h("td", {}, String(id)), h("td", { class: "mono" }, claims[id]?.hunter ?? "?"),
        h("td", {}, `${b.proposed_shares[i] / 100}%`),
        h("td", {}, `${partBps === null ? "at most " : ""}${fmt((pays * BigInt(b.proposed_shares[i])) / 10000n)}`))));
    words.textContent = partBps === null
      ? "Connect a wallet on this bounty's chain to read from the review contract whether it pays the whole pool or a milestone."
      : proposalWords({ partBps, total, claimIds: b.proposed_claims, sharesBps: b.proposed_shares, fmt, short, utc,
        claims: Object.fromEntries(data.claims.map((c) => [c.claim_id, c.hunter])), windowEnd: b.window_end,
        pending: b.proposal_state === "pending" });
    words.dataset.part = partBps === null ? "" : String(partBps);
  };
  draw(indexedPart(b));
  if (indexedPart(b) === null) {
    proposedPartOnChain(b).then((partBps) => { if (partBps !== null) draw(partBps); }).catch((error) => {
      words.textContent = `Whether it pays the whole pool or a milestone could not be read from the review contract (${describeError(error)}).`;
    });
  }
  parts.push(h("div", { class: "proposal", id: "proposal", dataset: { state: b.proposal_state, nonce: b.proposal_nonce } },
    h("h3", {}, `Proposal ${b.proposal_nonce} `, h("span", { class: `badge ${b.proposal_state}`, id: "proposal-state" }, b.proposal_state)),
    words, split,
    h("p", {}, "Review window ends ", h("span", { id: "window-end" }, utc(b.window_end)), " (",
      b.proposal_state === "pending" ? countdown(b.window_end, now, "window-countdown") : relative(b.window_end, now), ")"),
    b.arbiter ? h("div", { class: "bar-row" }, h("progress", { class: "against", id: "weight-bar", max: "1000", value: String(barValue),
      title: `objections: ${fmt(against)} of the ${fmt(quorum)} that block it` }),
    h("span", { id: "weight-against" }, `Objections: ${fmt(against)} of the ${fmt(quorum)} needed to block it (${b.quorum_bps / 100}% of ${fmt(total)})`))
      : withheld,
    b.proposal_state === "blocked" ? h("p", { class: "muted", id: "decide-by" },
      `It may be sent to the arbiter until ${utc(b.decide_by)}; after that anyone may lapse it.`)
      : b.proposal_state === "escalated" ? h("p", { class: "muted", id: "decide-by" },
        `The arbiter has until ${utc(b.decide_by)}; after that anyone may lapse it.`) : null,
    b.dispute_id ? h("p", { class: "muted", id: "dispute-id" }, `dispute ${b.dispute_id} at ${b.arbiter}`) : null));
  return h("section", { class: "review" }, parts);
}

// What an objection does: to a whole award, the objector's pledge is withheld and taken back once
// it is paid; to a milestone, withheld from that part only, keeping its worth and lock for the next.
function objectionText(b, mine, partBps) {
  const overrule = b.arbiter ? ", unless the arbiter overrules the objections" : "";
  if (partBps !== null && partBps < BPS) {
    return `Object: your pledge of ${mine} is withheld from this milestone of ${percentOf(partBps)} only (it pays the `
      + `others' pledges${overrule}): your pledge keeps its worth and its lock, and pays the next milestone unless you object to that one too.`;
  }
  return `Object: your pledge of ${mine} is withheld from this proposal (it pays the others' pledges only${overrule}), `
    + "and you take it back once the award is made.";
}

// What the connected account can do about a live proposal.
function reviewPanel(b, data, now, progress, after) {
  const fmt = (value) => amount(value, b.decimals, b.symbol);
  const facts = proposalFacts(b, now);
  const panel = h("div", { class: "panel", id: "review-panel" }, h("h3", {}, "A proposed award is under review"),
    h("p", { class: "muted" }, "Pledges and solutions wait until it is finalized or rejected; pledges still locked when it was proposed cannot be refunded meanwhile."));
  const action = (id, label, step, text) => h("form", { id, onsubmit: async (event) => {
    event.preventDefault();
    const button = event.target.querySelector("button");
    button.disabled = true;
    try { await after(await reviewStep(b, step, progress)); } finally { button.disabled = false; }
  } }, text ? h("span", {}, text) : null, h("button", { type: "submit" }, label));
  const mine = data.pledges.find((p) => p.funder === state.account && BigInt(p.outstanding) > 0n);
  const objected = data.objections.some((o) => o.nonce === b.proposal_nonce && o.funder === state.account);
  if (facts.inWindow && objected) {
    panel.append(h("p", { id: "objected" }, "You objected to this proposal."));
  } else if (facts.inWindow && mine) {
    const form = action("object-form", "Object", "object", objectionText(b, fmt(mine.outstanding), indexedPart(b)));
    panel.append(form);
    // What an objection does depends on the part: known from the index, else read from the chain.
    if (indexedPart(b) === null) {
      proposedPartOnChain(b).then((partBps) => { form.querySelector("span").textContent = objectionText(b, fmt(mine.outstanding), partBps); })
        .catch(() => {});
    }
  }
  if (facts.finalizable) panel.append(action("finalize-form", "Finalize", "finalize",
    b.proposal_state === "upheld" ? "The arbiter upheld it: anyone may pay it out." : "Its window ended unblocked: anyone may pay it out."));
  if (facts.escalatable) panel.append(action("escalate-form", "Escalate", "escalate",
    `Objections blocked it: anyone may send it to the arbiter${b.arbiter_is_erc792 ? ", paying its arbitration fee in ETH" : ""}.`));
  if (facts.decidable && state.account === b.arbiter) {
    panel.append(action("decide-pay-form", "Pay it", "pay", "You are the arbiter: pay the proposal the whole pool, objectors' pledges included,"));
    panel.append(action("decide-reject-form", "Reject it", "reject", "or reject it (nothing is paid; the bounty reopens)."));
  }
  if (facts.lapsable) panel.append(action("lapse-form", "Lapse", "lapse",
    b.proposal_state === "blocked" ? "Nobody sent it to the arbiter in time: anyone may reject it."
      : "The arbiter did not decide in time: anyone may reject it."));
  return panel;
}

function pledgeTable(data, fmt) {
  return data.pledges.length ? h("table", { id: "pledges" },
    h("tr", {}, ["backer", "pledged", "held", "unlocks", "state"].map((t) => h("th", {}, t))),
    data.pledges.map((p) => h("tr", { dataset: { funder: p.funder } }, h("td", {}, addressLink(p.funder, "funder")),
      h("td", {}, fmt(p.pledged)), h("td", {}, fmt(p.outstanding)), h("td", {}, utc(p.unlocks_at)), h("td", {}, p.state))))
    : h("p", { class: "muted", id: "pledges" }, "No pledges yet.");
}

const FUNDRAISER_STATUS_TITLE = {
  succeeded: "This fundraiser succeeded", failed: "This fundraiser missed its goal", paid: "This fundraiser was paid out",
  cancelled: "This fundraiser was cancelled", lapsed: "This fundraiser's payout lapsed",
};
const FUNDRAISER_STATUS_TEXT = {
  succeeded: "Its deadline has passed and it can pay out: anyone may now send the raised total (less the escrow's fee) to the beneficiary.",
  failed: "It missed its goal: backers take their pledges back.",
  paid: "The raised total was paid to the beneficiary.",
  cancelled: "Its creator cancelled it: backers take their pledges back.",
  lapsed: "Nobody paid it out within the claim period: backers take their pledges back.",
};

async function renderFundraiser(id, data) {
  const f = data.bounty;
  const now = nowOf(f, data.index);
  const fmt = (value) => amount(value, f.decimals, f.symbol);
  const progress = h("ol", { class: "progress", id: "progress" });
  // After an action, the page is drawn again; what the action did moves into the new progress
  // list, which the new forms write to (a later action's refusal must show).
  const after = async (ok) => { if (ok) await renderBounty(id).then(() => $("#progress").replaceChildren(...progress.childNodes)); };
  const panels = [];
  const mine = state.account ? data.pledges.find((p) => p.funder === state.account && p.state === "refundable") : null;
  if (!state.account && availableWallets().length === 0) {
    panels.push(noWalletPanel(f, f.status === "raising"));
  } else if (!state.account) {
    panels.push(h("div", { class: "panel" }, h("h3", {}, "Back this fundraiser"),
      h("p", { class: "muted" }, "Connect a wallet to pledge, take a refundable pledge back, or pay out a fundraiser that succeeded.")));
  } else if (!state.chainOk) {
    panels.push(h("div", { class: "panel" }, h("p", {}, "Switch your wallet to the escrow's chain first.")));
  } else if (f.status === "raising") {
    panels.push(h("div", { class: "panel" }, h("h3", {}, `Pledge ${f.symbol}`),
      h("form", { id: "pledge-form", onsubmit: async (event) => {
        event.preventDefault();
        const button = event.target.querySelector("button");
        button.disabled = true;
        try { await after(await pledge(f, event.target.amount.value, progress)); } finally { button.disabled = false; }
      } }, h("input", { name: "amount", placeholder: `amount in ${f.symbol}`, inputmode: "decimal", required: true }),
      h("button", { type: "submit" }, "Pledge")),
      h("p", { class: "muted" }, `Locked until the deadline, ${utc(f.deadline)}. ` + (f.all_or_nothing
        ? `If ${fmt(f.goal)} is raised by then, it goes to the beneficiary; otherwise you take your pledge back.`
        : "It then goes to the beneficiary, whatever the total."))));
  } else {
    const panel = h("div", { class: "panel" }, h("h3", {}, FUNDRAISER_STATUS_TITLE[f.status] ?? `This fundraiser is ${f.status}`),
      h("p", { class: "muted" }, FUNDRAISER_STATUS_TEXT[f.status] ?? ""));
    if (f.status === "succeeded" && BigInt(f.total) > 0n) {
      panel.append(h("form", { id: "withdraw-raised-form", onsubmit: async (event) => {
        event.preventDefault();
        const button = event.target.querySelector("button");
        button.disabled = true;
        try { await after(await withdrawRaised(f, progress)); } finally { button.disabled = false; }
      } }, h("span", {}, `${fmt(f.total)} to ${short(f.beneficiary)}`),
      h("button", { type: "submit" }, "Pay out to the beneficiary")));
    } else if (f.status === "succeeded") {
      panel.append(h("p", { class: "muted" }, "Nothing was raised: there is nothing to pay out."));
    }
    if (mine) {
      panel.append(h("form", { id: "refund-form", onsubmit: async (event) => {
        event.preventDefault();
        await after(await refund(f, progress));
      } }, h("span", {}, `Your pledge of ${fmt(mine.outstanding)} can be taken back.`),
      h("button", { type: "submit" }, "Refund my pledge")));
    }
    panels.push(panel);
  }
  const goal = BigInt(f.goal) > 0n;
  showView(
    h("p", {}, h("a", { href: "/?kind=fundraiser", dataset: { nav: "" } }, "← all fundraisers")),
    h("h1", {}, `Fundraiser #${f.bounty_id} `, badge(f.status)),
    h("p", {}, safeLink(f.uri)),
    h("div", { class: "raise" },
      h("div", { class: "raised", id: "raised" }, fmt(f.raised), goal ? h("span", { class: "of-goal" }, ` raised of ${fmt(f.goal)}`)
        : h("span", { class: "of-goal" }, " raised")),
      goalBar(f, "goal-progress"), h("div", { class: "muted", id: "goal-percent" }, percentText(f.raised, f.goal))),
    fundingChart(f),
    h("div", { class: "stats" },
      [["raised", fmt(f.raised), "raised"], ["goal", goal ? fmt(f.goal) : "none", "goal"], ["held now", fmt(f.total), "total"],
        ["pledged in all", fmt(f.pledged)], ["refunded", fmt(f.refunded)], ["paid to the beneficiary", fmt(f.paid_out), "paid"]]
        .map(([label, value, sid]) => h("div", { class: "stat" }, h("div", { class: "label" }, label),
          h("div", { class: "value", id: sid ? `stat-${sid}` : null }, value)))),
    h("dl", { class: "parties" },
      [["kind", f.all_or_nothing ? "all-or-nothing: paid out only if the goal is reached by the deadline, else backers refund"
        : "flexible: whatever was raised is paid out at the deadline"],
      ["deadline", deadlineText(f, now)],
      ...(["paid", "cancelled"].includes(f.status) ? []
        : [["payout window", `until ${utc(f.claim_deadline)}; after that backers may refund`]]),
      ["beneficiary", addressLink(f.beneficiary)], ["creator", addressLink(f.issuer)],
      ["currency", f.token === ethers.ZeroAddress ? "ETH" : h("span", {}, `${f.symbol} at `, addressLink(f.token))]]
        .map(([label, value]) => [h("dt", {}, label), h("dd", { class: label === "kind" || label === "deadline" || label === "payout window" ? "" : "mono", id: `fundraiser-${label.replace(" ", "-")}` }, value)])),
    h("h2", {}, "Act"), h("div", { class: "actions" }, panels), progress,
    h("h2", {}, "Pledges"), pledgeTable(data, fmt), embedSnippet(f),
  );
  applyPrefill();
}

// Post a bounty on an issue: the URL is checked (and normalised) here before anything is sent.
// The GitHub bot's /?link-github=LOGIN: sign the statement "LOGIN is held by this address"
// (EIP-712, bountychain/github/links.py; no chain, no transaction), then post the comment shown.
const GITHUB_LINK_DOMAIN = { name: "bountychain GitHub link", version: "1" };
const GITHUB_LINK_TYPES = { GitHubAccount: [{ name: "login", type: "string" }, { name: "account", type: "address" }] };

function linkGithubPanel(login) {
  const title = h("h3", {}, "Link your GitHub login");
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/.test(login || "")) {
    return h("div", { class: "panel", id: "link-github" }, title, h("p", { class: "failed" }, `"${login}" is not a GitHub login.`));
  }
  if (!state.account) {
    return h("div", { class: "panel", id: "link-github" }, title,
      h("p", { class: "muted" }, `Connect the wallet of the address that ${login} should be known by, then sign.`));
  }
  const out = h("div", { id: "link-github-out" });
  return h("div", { class: "panel", id: "link-github" }, title,
    h("p", {}, `Sign the statement "GitHub login ${login.toLowerCase()} is held by ${state.account}". It is a signature, not a transaction: no gas.`),
    h("button", { type: "button", id: "link-github-sign", onclick: async () => {
      try {
        const signature = await (await signer()).signTypedData(GITHUB_LINK_DOMAIN, GITHUB_LINK_TYPES,
          { login: login.toLowerCase(), account: state.account });
        const comment = `/link ${state.account} ${signature}`;
        out.replaceChildren(h("p", {}, `Post this comment on GitHub as ${login}:`),
          h("input", { class: "mono snippet", readonly: true, value: comment, id: "link-github-comment", "aria-label": "the /link comment" }));
      } catch (error) {
        out.replaceChildren(h("p", { class: "failed" }, `Not signed: ${describeError(error)}`));
      }
    } }, "Sign"), out);
}

function lockDays(text) {
  const found = /^(\d+)\s*(d|w|days?|weeks?)?$/i.exec(String(text).trim());
  if (!found) return 30;
  return Number(found[1]) * (found[2] && found[2][0].toLowerCase() === "w" ? 7 : 1);
}

function createPanel(prefill = null) {
  const progress = h("ol", { class: "progress", id: "create-progress" });
  // The issue hosts this server accepts beyond the known forges (a GitHub Enterprise Server's, …).
  const hosts = state.info.issue_hosts ?? {};
  const note = h("p", { class: "muted", id: "issue-check" }, `An issue on ${acceptedForges(hosts)}.`);
  const check = (text) => {
    try {
      const issue = normaliseIssueUrl(text, hosts);
      note.className = "ok";
      note.textContent = `${issue.kind} issue #${issue.issue} of ${issue.repo}${issue.configured ? ` on ${issue.host}` : ""}`
        + (issue.securityKey ? `; the bounty accepts private security reports, sealed to the key ${short(issue.securityKey)}` : "");
      return issue;
    } catch (error) {
      note.className = "failed";
      note.textContent = error.message;
      return null;
    }
  };
  const form = h("form", { id: "create-form", onsubmit: async (event) => {
    event.preventDefault();
    const fields = event.target;
    const issue = check(fields.uri.value);
    if (!issue) { progress.replaceChildren(h("li", { class: "failed" }, `${note.textContent}: nothing was sent`)); return; }
    const days = Number(fields.days.value);
    if (!Number.isInteger(days) || days < 1 || days > 3650) {
      progress.replaceChildren(h("li", { class: "failed" }, "the deadline must be a whole number of days from 1 to 3650: nothing was sent"));
      return;
    }
    const token = fields.token.value.trim() || ethers.ZeroAddress;
    if (!ethers.isAddress(token)) {
      progress.replaceChildren(h("li", { class: "failed" }, `"${token}" is not a token address (leave it empty for ETH): nothing was sent`));
      return;
    }
    const existing = await api(`/api/bounties?issue=${encodeURIComponent(issue.url)}&kind=bounty`);
    const wallet = await signer();
    // On the chain in view (an index of several: the list's chain filter, else its first chain).
    const escrow = new ethers.Contract((state.chain ?? state.info.chains[0]).escrow, state.info.escrow_abi, wallet);
    const latest = await wallet.provider.getBlock("latest");
    const deadline = BigInt(latest.timestamp) + BigInt(days) * 86400n;
    let sent = null;
    const sealedTo = issue.securityKey ? ` (private reports sealed to ${short(issue.securityKey)})` : "";
    const ok = await runSteps(progress, [{ label: `create a bounty on ${issue.address}${sealedTo}, deadline ${utc(deadline)}`,
      send: async () => (sent = await escrow.createBounty(ethers.getAddress(token), deadline, state.account, issue.url)) }]);
    if (!ok) return;
    if (existing.count) {
      progress.append(h("li", {}, `${existing.count} other bount${existing.count === 1 ? "y funds" : "ies fund"} this issue too: the list shows their total.`));
    }
    // Its id, from the BountyCreated event; then its page, with the first pledge filled in.
    const receipt = await sent.wait();
    const created = receipt.logs.map((log) => { try { return escrow.interface.parseLog(log); } catch { return null; } })
      .find((event) => event?.name === "BountyCreated");
    if (created) {
      const pledgeText = fields.amount.value.trim();
      const query = new URLSearchParams(chainQuery({ chain_id: (state.chain ?? state.info.chains[0]).chain_id }).slice(1));
      if (pledgeText) query.set("pledge", pledgeText);
      progress.append(h("li", { class: "done", id: "created" }, "created ",
        h("a", { href: `/bounty/${created.args.bountyId}${query.size ? `?${query}` : ""}`,
          dataset: { nav: "" } }, `bounty #${created.args.bountyId}`), pledgeText ? `: pledge ${pledgeText} on its page` : ""));
    }
  } },
  h("input", { name: "uri", placeholder: "https://github.com/owner/repo/issues/12", required: true, oninput: (e) => check(e.target.value),
    "aria-label": "issue URL" }),
  h("input", { name: "days", type: "number", min: "1", max: "3650", value: "30", "aria-label": "deadline in days", class: "days" }),
  h("span", { class: "muted" }, "days"),
  h("input", { name: "token", placeholder: "token address (empty: ETH)", "aria-label": "token address" }),
  h("input", { name: "amount", placeholder: "first pledge (optional)", inputmode: "decimal", "aria-label": "first pledge" }),
  h("button", { type: "submit" }, "Create"));
  if (prefill) {
    form.uri.value = prefill.uri;
    form.days.value = String(lockDays(prefill.lock));
    form.token.value = /^0x0{40}$/i.test(prefill.token) ? "" : prefill.token;  // the zero address is ETH
    form.amount.value = prefill.amount;
    check(prefill.uri);
  }
  return h("details", { class: "panel create", id: "create", open: Boolean(prefill) }, h("summary", {}, "Post a bounty on an issue"),
    form, note, progress);
}

// What the deadline means now: an ended bounty's deadline no longer applies.
function deadlineText(b, now) {
  if (["awarded", "cancelled", "paid"].includes(b.status)) return `${utc(b.deadline)} (no longer applies: ${statusWord(b.status)})`;
  return `${utc(b.deadline)} (${relative(b.deadline, now)})`;
}

// The badge to put in a README or an issue, with the Markdown that embeds it.
function embedSnippet(b) {
  const page = `${location.origin}/${b.kind === "fundraiser" ? "fundraiser" : "bounty"}/${b.bounty_id}${chainQuery(b)}`;
  const markdown = `[![${b.kind} #${b.bounty_id}](${location.origin}/badge/${b.bounty_id}.svg${chainQuery(b)})](${page})`;
  return h("section", { class: "embed", id: "embed" }, h("h2", {}, "Badge"),
    h("p", {}, h("img", { src: `/badge/${b.bounty_id}.svg${chainQuery(b)}`, alt: `${b.kind} #${b.bounty_id}`, id: "badge-image" })),
    h("p", { class: "muted" }, "Markdown for a README or an issue:"),
    h("input", { class: "mono snippet", readonly: true, value: markdown, id: "badge-markdown", "aria-label": "badge Markdown" }));
}

// Funding over time, drawn as an inline SVG from /api/bounties/<id>/funding: what was pledged in
// all (a line) and what is held (a filled area), step by step at each block's time.
const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
  for (const child of children) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return el;
}

function fundingChart(b) {
  const box = h("section", { class: "chart", id: "funding-chart" }, h("h2", {}, "Funding over time"),
    h("p", { class: "muted" }, "Loading…"));
  api(`/api/bounties/${b.bounty_id}/funding${chainQuery(b)}`).then((data) => drawChart(box, b, data.history)).catch((error) => {
    box.replaceChildren(h("h2", {}, "Funding over time"), h("p", { class: "muted" }, `The history could not be read: ${error.message}`));
  });
  return box;
}

function drawChart(box, b, history) {
  const title = h("h2", {}, "Funding over time");
  if (!history.length) { box.replaceChildren(title, h("p", { class: "muted", id: "chart-empty" }, "No pledges yet.")); return; }
  const fmt = (value) => amount(value, b.decimals, b.symbol);
  const W = 640, H = 180, L = 8, R = 8, T = 10, B = 24;
  const times = history.map((p) => Number(p.time));
  const t0 = times[0], t1 = Math.max(times[times.length - 1], t0 + 1);
  const top = history.reduce((max, p) => (BigInt(p.pledged) > max ? BigInt(p.pledged) : max), 1n);
  // By time; when every change has one time (a chain that was just seeded), one step each.
  const byTime = times[times.length - 1] > t0;
  const x = (t, i) => L + (byTime ? (Number(t) - t0) / (t1 - t0) : i / history.length) * (W - L - R);
  // Exact up to the top: scaled in integers first (amounts can exceed a double's precision).
  const y = (v) => T + (H - T - B) * (1 - Number((BigInt(v) * 10000n) / top) / 10000);
  const steps = (key) => history.map((p, i) => `${i ? "H" : "M"}${x(p.time, i).toFixed(1)} ${i ? "V" : ""}${y(p[key]).toFixed(1)}`).join(" ")
    + ` H${(W - R).toFixed(1)}`;
  const held = `${steps("total")} V${H - B} H${L} Z`;
  const last = history[history.length - 1];
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "funding", role: "img",
    "aria-label": `pledged ${fmt(last.pledged)} in all, ${fmt(last.total)} held now` },
  svg("path", { d: held, class: "held" }), svg("path", { d: steps("pledged"), class: "pledged" }),
  svg("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, class: "axis" }),
  svg("text", { x: L, y: H - 6, class: "tick" }, utc(t0).slice(0, 10)),
  svg("text", { x: W - R, y: H - 6, class: "tick", "text-anchor": "end" }, utc(t1).slice(0, 10)),
  svg("text", { x: L + 2, y: T + 10, class: "tick" }, fmt(top)));
  box.replaceChildren(title, chart, h("p", { class: "legend muted", id: "chart-legend" },
    h("span", { class: "key pledged" }, "pledged in all"), ` ${fmt(last.pledged)} · `,
    h("span", { class: "key held" }, "held"), ` ${fmt(last.total)} · ${history.length} change${history.length === 1 ? "" : "s"}`));
}

// Without a browser wallet: what to install, and a payment link (EIP-681) as a QR code for a
// phone wallet, built from the amount typed (read by the server's amount rules).
function noWalletPanel(b, open) {
  const help = h("p", { id: "no-wallet-help" }, "This page sends transactions through a browser wallet, and none was found. "
    + "Install one (a browser extension such as MetaMask, Rabby or Frame, or a mobile wallet's in-app browser) and reload, ");
  if (!open) return h("div", { class: "panel", id: "no-wallet" }, h("h3", {}, "No wallet found"), help);
  help.append("or pay from a phone wallet: type an amount and scan the code.");
  const out = h("div", { class: "qr-links", id: "qr-links" });
  const form = h("form", { id: "qr-form", onsubmit: async (event) => {
    event.preventDefault();
    const text = event.target.amount.value;
    let parsed;
    try {
      parsed = await api(`/api/amount?bounty=${b.bounty_id}&chain=${b.chain_id}&text=${encodeURIComponent(text)}`);
    } catch (error) {
      out.replaceChildren(h("p", { class: "failed" }, `"${text}" is not an amount of ${b.symbol}: ${error.message}`));
      return;
    }
    const chain = b.chain_id, escrow = b.escrow;  // the bounty's own chain and escrow
    // pledge(uint256 bountyId, uint256 amount, uint64 maxUnlocksAt): locked no later than the deadline shown.
    const pledgeLink = `ethereum:${escrow}@${chain}/pledge?uint256=${b.bounty_id}&uint256=${parsed.amount}&uint64=${b.deadline}`;
    const links = b.token === ethers.ZeroAddress ? [["pledge", `${pledgeLink}&value=${parsed.amount}`]]
      : [["step 1: approve the escrow for exactly this amount", `ethereum:${b.token}@${chain}/approve?address=${escrow}&uint256=${parsed.amount}`],
        ["step 2: pledge", pledgeLink]];
    out.replaceChildren(h("p", {}, `Pledge ${parsed.text} to #${b.bounty_id} on ${b.chain_name}`
      + (links.length > 1 ? ": two transactions, approve first, then pledge." : ":")),
    ...links.map(([label, uri]) => h("figure", { class: "qr" },
      h("img", { src: `/qr.svg?uri=${encodeURIComponent(uri)}`, alt: `QR code: ${label}`, width: "200", height: "200" }),
      h("figcaption", {}, h("strong", {}, label), h("br"), h("a", { href: uri, class: "mono eip681" }, uri)))));
  } }, h("input", { name: "amount", placeholder: `amount in ${b.symbol}`, inputmode: "decimal", required: true }),
  h("button", { type: "submit" }, "Show payment code"));
  return h("div", { class: "panel", id: "no-wallet" }, h("h3", {}, "No wallet found"), help, form, out);
}

// --- profiles: a funder's and a hunter's record, from the index -----------------------------

function tokenRows(list, columns) {
  return list.length ? h("table", { class: "by-token" }, h("tr", {}, h("th", {}, "currency"), columns.map(([label]) => h("th", {}, label))),
    list.map((t) => h("tr", { dataset: { symbol: t.symbol } }, h("td", {}, t.symbol, tokenTag(t), " ", chainTag(t)),
      columns.map(([, key]) => h("td", { dataset: { key } }, amount(t[key], t.decimals, t.symbol))))))
    : h("p", { class: "muted" }, "Nothing yet.");
}

function recentList(recent, index) {
  return recent.length ? h("div", { class: "cards", id: "recent" }, recent.map((b) =>
    card(b.kind === "fundraiser" ? fundraiserCard : bountyCard, { solutions: [], ...b }, nowOf(b, index))))
    : h("p", { class: "muted", id: "recent" }, "None yet.");
}

// The GitHub logins the GitHub App linked to this address (each proven by a signed statement
// that the login posted as `/link`): a link to the login and to the comment that proved it.
function githubLogins(links) {
  if (!links?.length) return null;
  return h("p", { id: "github-logins" }, "GitHub: ", links.map((link, n) => [n ? ", " : "",
    safeLink(`https://github.com/${encodeURIComponent(link.login)}`, `@${link.login}`), " (",
    safeLink(link.comment_url, `linked ${utc(link.linked_at)}`), ")"]));
}

function profileHead(role, address, links) {
  return [h("p", {}, h("a", { href: "/", dataset: { nav: "" } }, "← all bounties")),
    h("h1", {}, `${role} `, h("span", { class: "mono" }, short(address))), h("p", {}, addressLink(address)), githubLogins(links)];
}

async function renderFunder(address) {
  const [data, status] = await Promise.all([api(`/api/funders/${address}`), api("/api/status")]);
  showIndex(status);
  const now = status.cursor_time ?? Date.now() / 1000;
  const rate = data.pay_rate;
  const decided = rate.awarded + rate.expired_unpaid;
  const rateText = decided === 0 ? "no bounty it backed has been awarded or expired yet"
    : `${Math.round((rate.awarded * 100) / decided)}%: ${rate.awarded} awarded, ${rate.expired_unpaid} expired unpaid`
      + (rate.cancelled ? ` (and ${rate.cancelled} cancelled)` : "");
  showView(...profileHead("Funder", data.funder, data.github),
    h("div", { class: "stats" }, [["bounties backed", String(data.bounties)], ["fundraisers backed", String(data.fundraisers)],
      ["pay rate", rateText, "pay-rate"]].map(([label, value, sid]) => h("div", { class: "stat" },
      h("div", { class: "label" }, label), h("div", { class: "value", id: sid ? `stat-${sid}` : null }, value)))),
    h("h2", {}, "Pledged, paid, refunded"),
    h("div", { id: "funder-totals" }, tokenRows(data.by_token, [["pledged", "pledged"], ["paid to winners", "paid_out"],
      ["to fundraisers", "to_fundraisers"], ["refunded", "refunded"], ["still held", "outstanding"],
      // Its part of claim bonds slashed as spam: credited to it by the escrow, apart from what it
      // pledged, so a column of its own, shown only to a funder that was credited some.
      ...(data.by_token.some((t) => BigInt(t.slashed_credit) > 0n) ? [["credited from slashed bonds", "slashed_credit"]] : [])])),
    h("h2", {}, "Recent bounties"), recentList(data.recent, status));
}

async function renderHunter(address) {
  const [data, status] = await Promise.all([api(`/api/hunters/${address}`), api("/api/status")]);
  showIndex(status);
  const now = status.cursor_time ?? Date.now() / 1000;
  showView(...profileHead("Hunter", data.hunter, data.github),
    h("div", { class: "stats" }, [["solutions", String(data.claims.length)], ["awarded", String(data.awards.length)]]
      .map(([label, value]) => h("div", { class: "stat" }, h("div", { class: "label" }, label), h("div", { class: "value" }, value)))),
    h("h2", {}, "Earned"), h("div", { id: "hunter-earned" }, tokenRows(data.earned, [["earned", "paid_out"]])),
    h("h2", {}, "Solutions"),
    data.claims.length ? h("table", { id: "hunter-claims" }, h("tr", {}, ["bounty", "solution", "paid"].map((t) => h("th", {}, t))),
      data.claims.map((c) => h("tr", {}, h("td", {}, h("a", { href: `/bounty/${c.bounty_id}${chainQuery(c)}`, dataset: { nav: "" } }, `#${c.bounty_id}`)),
        h("td", {}, safeLink(c.uri)), h("td", {}, c.paid !== "0" ? amount(c.paid, c.decimals, c.symbol) : "-"))))
      : h("p", { class: "muted" }, "No solutions yet."),
    h("h2", {}, "Recent bounties"), recentList(data.recent, status));
}

// Several bounties on one issue: a line above their cards with what they hold together, per
// currency (amounts in different tokens are never added).
function issueGroups(bounties, index) {
  const byIssue = new Map();
  for (const b of bounties) byIssue.set(b.uri, [...(byIssue.get(b.uri) || []), b]);
  const out = [];
  for (const [uri, group] of byIssue) {
    if (group.length === 1) { out.push(card(bountyCard, group[0], nowOf(group[0], index))); continue; }
    const sums = new Map();
    for (const b of group) {
      const key = `${b.chain_id}:${b.token}`;  // a token address is per chain
      const value = BigInt(b.status === "awarded" ? b.paid_out : b.total);
      const before = sums.get(key);
      sums.set(key, { b, value: (before?.value ?? 0n) + value });
    }
    const total = [...sums.values()].map(({ b, value }) => amount(value, b.decimals, b.symbol)).join(" + ");
    out.push(h("div", { class: "issue-group", dataset: { issue: uri } },
      h("div", { class: "issue-total" }, `${group.length} bounties fund `, safeLink(uri), `: ${total} in all`),
      group.map((b) => card(bountyCard, b, nowOf(b, index)))));
  }
  return out;
}

function showFatal(error) {
  showView(h("p", { class: "failed" }, `Error: ${error.message || error}`));
}

async function refresh() {
  renderWallet();
  await checkChain();
  const match = location.pathname.match(/^\/(?:bounty|fundraiser)\/(\d+)\/?$/);
  const profile = location.pathname.match(/^\/(funder|hunter)\/(0x[0-9a-fA-F]{40})\/?$/);
  try {
    if (match) await renderBounty(match[1]);
    else if (profile?.[1] === "funder") await renderFunder(profile[2]);
    else if (profile) await renderHunter(profile[2]);
    else await renderList();
  } catch (error) {
    showFatal(error);
  }

}

function navigate(url) {
  history.pushState(null, "", url);
  refresh();
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-nav]");
  if (link && !event.metaKey && !event.ctrlKey) {
    event.preventDefault();
    navigate(link.getAttribute("href"));
  }
});
window.addEventListener("popstate", refresh);

async function main() {
  state.info = await api("/api/info");
  state.escrowIface = new ethers.Interface(state.info.escrow_abi);
  state.reviewIface = new ethers.Interface(state.info.review_abi);
  state.tokenIface = new ethers.Interface(state.info.token_abi);
  state.chain = state.info.chains[0] ?? null;
  if (severalChains()) $("#escrow-info").textContent = `escrows on ${state.info.chains.map((c) => c.chain_name).join(", ")}`;
  else $("#escrow-info").replaceChildren("escrow ", addressLink(state.chain.escrow), ` on ${state.chain.chain_name}`);
  discoverWallets();
  await new Promise((resolve) => setTimeout(resolve, 100)); // let wallets announce themselves
  await reconnect();  // renders the page when it reconnects
  if (!state.account) await refresh();
  document.body.dataset.ready = "true";
}

main().catch(showFatal);

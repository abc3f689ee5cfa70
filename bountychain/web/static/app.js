// The funders' page: bounties from the index's JSON API, transactions through the browser's
// wallet (EIP-6963 discovery, else window.ethereum) with ethers v6 (vendored, served locally).
// Everything shown that came from the chain is inserted as text, never as HTML.
import { ethers } from "./vendor/ethers.min.js";

const STATUS_NAMES = { 0: "open", 1: "awarded", 2: "cancelled" };
const state = { info: null, escrowIface: null, tokenIface: null, wallets: new Map(), wallet: null, account: null,
  chainOk: false, route: null };

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
const short = (address) => address ? `${address.slice(0, 6)}…${address.slice(-4)}` : "";

function safeLink(url, text) {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === "https:" || parsed.protocol === "http:") {
      return h("a", { href: parsed.href, target: "_blank", rel: "noopener noreferrer" }, text ?? url);
    }
  } catch { /* not a URL: shown as text */ }
  return h("span", {}, text ?? url);
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
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
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

async function connect(wallet) {
  state.wallet = wallet;
  const accounts = await wallet.provider.request({ method: "eth_requestAccounts" });
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

async function checkChain() {
  if (!state.wallet) return;
  const chainId = await state.wallet.provider.request({ method: "eth_chainId" });
  state.chainOk = BigInt(chainId) === BigInt(state.info.chain_id);
  const banner = $("#chain-banner");
  banner.replaceChildren();
  banner.hidden = state.chainOk;
  if (!state.chainOk) {
    banner.append(
      h("span", { id: "wrong-chain" }, `Your wallet is on chain ${BigInt(chainId)}; the escrow is on chain ${state.info.chain_id}.`),
      h("button", { type: "button", onclick: switchChain }, `Switch to chain ${state.info.chain_id}`),
    );
  }
}

async function switchChain() {
  const provider = state.wallet.provider;
  try {
    await provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId: state.info.chain_id_hex }] });
  } catch (error) {
    if (error?.code === 4902 && state.info.public_rpc) {
      await provider.request({ method: "wallet_addEthereumChain", params: [{
        chainId: state.info.chain_id_hex, chainName: `Chain ${state.info.chain_id}`, rpcUrls: [state.info.public_rpc],
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
    box.append(h("span", { class: "account", id: "account", title: state.account },
      `${state.wallet.info.name}: ${short(state.account)}`));
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
    for (const iface of [state.escrowIface, state.tokenIface]) {
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
    const template = state.info.errors[parsed.name];
    const meaning = template ? template.replace(/\{(\w+)\}/g, (_, key) => String(args[key] ?? `{${key}}`)) : "";
    return `the escrow refused: ${parsed.name}${meaning ? ` (${meaning})` : ""}`;
  }
  return error?.shortMessage || error?.message || String(error);
}

async function runSteps(list, steps) {
  list.replaceChildren();
  for (const step of steps) {
    const item = h("li", { class: "pending" }, `${step.label}: confirm in your wallet…`);
    list.append(item);
    try {
      const tx = await step.send();
      item.textContent = `${step.label}: sent ${tx.hash}, waiting for the block…`;
      const receipt = await tx.wait();
      item.className = "done";
      item.textContent = `${step.label}: confirmed in block ${receipt.blockNumber} (tx ${tx.hash})`;
    } catch (error) {
      item.className = "failed";
      item.textContent = `${step.label} failed: ${describeError(error)}`;
      return false;
    }
  }
  const sync = h("li", { class: "pending" }, "updating the index…");
  list.append(sync);
  try {
    const result = await api("/api/sync", { method: "POST" });
    sync.className = "done";
    sync.textContent = `index updated to block ${result.cursor}`;
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
    value = ethers.parseUnits(text.trim(), bounty.decimals);
  } catch {
    list.replaceChildren(h("li", { class: "failed" }, `"${text}" is not an amount of ${bounty.symbol}`));
    return false;
  }
  if (value <= 0n) {
    list.replaceChildren(h("li", { class: "failed" }, "the amount must be positive"));
    return false;
  }
  const wallet = await signer();
  const escrow = new ethers.Contract(state.info.escrow, state.info.escrow_abi, wallet);
  const label = `pledge ${amount(value, bounty.decimals, bounty.symbol)}`;
  if (bounty.token === ethers.ZeroAddress) {
    return runSteps(list, [{ label, send: () => escrow.pledge(bounty.bounty_id, value, { value }) }]);
  }
  // ERC-20: approve exactly the amount (resetting a different allowance to 0 first, for
  // USDT-style tokens), then pledge.
  const token = new ethers.Contract(bounty.token, state.info.token_abi, wallet);
  const allowance = await token.allowance(state.account, state.info.escrow);
  const steps = [];
  if (allowance !== value) {
    if (allowance !== 0n) steps.push({ label: "reset the allowance to 0", send: () => token.approve(state.info.escrow, 0n) });
    steps.push({ label: `approve the escrow for exactly ${amount(value, bounty.decimals, bounty.symbol)}`,
      send: () => token.approve(state.info.escrow, value) });
  }
  steps.push({ label, send: () => escrow.pledge(bounty.bounty_id, value) });
  return runSteps(list, steps);
}

async function submitSolution(bounty, url, list) {
  const escrow = new ethers.Contract(state.info.escrow, state.info.escrow_abi, await signer());
  return runSteps(list, [{ label: "submit the solution", send: () => escrow.submitSolution(bounty.bounty_id, url.trim()) }]);
}

async function refund(bounty, list) {
  const escrow = new ethers.Contract(state.info.escrow, state.info.escrow_abi, await signer());
  return runSteps(list, [{ label: "refund", send: () => escrow.refund(bounty.bounty_id) }]);
}

async function award(bounty, shares, list) {
  const entries = Object.entries(shares).filter(([, pct]) => Number(pct) > 0);
  const ids = entries.map(([id]) => BigInt(id));
  const bps = entries.map(([, pct]) => BigInt(Math.round(Number(pct) * 100)));
  const escrow = new ethers.Contract(state.info.escrow, state.info.escrow_abi, await signer());
  return runSteps(list, [{ label: "award", send: () => escrow.award(bounty.bounty_id, ids, bps) }]);
}

// --- pages -----------------------------------------------------------------------------------

function badge(status) {
  return h("span", { class: `badge ${status}` }, status);
}

async function renderList() {
  const params = new URLSearchParams(location.search);
  const data = await api(`/api/bounties?${params}`);
  showIndex(data.index);
  const now = data.index.cursor_time ?? Date.now() / 1000;
  const filters = h("form", { class: "filters", id: "filters", onsubmit: (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const query = new URLSearchParams([...form].filter(([, v]) => v));
    navigate(`/${query.size ? `?${query}` : ""}`);
  } },
  h("input", { name: "repo", placeholder: "owner/repository", value: params.get("repo") || "" }),
  h("select", { name: "status" }, ["", "open", "expired", "awarded", "cancelled"].map((s) =>
    h("option", { value: s, selected: params.get("status") === s }, s || "any status"))),
  h("button", { type: "submit", class: "secondary" }, "Filter"));
  const cards = data.bounties.map((b) => h("article", { class: "card", dataset: { bountyId: b.bounty_id } },
    h("div", { class: "title" }, h("a", { href: `/bounty/${b.bounty_id}`, dataset: { nav: "" } }, `#${b.bounty_id}`), " ",
      safeLink(b.uri)),
    h("div", { class: "amount", dataset: { total: b.total } }, amount(b.total, b.decimals, b.symbol)),
    h("div", { class: "meta" }, badge(b.status), h("span", {}, b.repo),
      h("span", { title: utc(b.deadline) }, `deadline ${relative(b.deadline, now)}`),
      h("span", {}, `${b.funder_count} funder${b.funder_count === 1 ? "" : "s"}`),
      h("span", {}, `${b.claim_count} solution${b.claim_count === 1 ? "" : "s"}`)),
    h("div", { class: "meta" }, b.status === "awarded" ? `paid ${amount(b.paid_out, b.decimals, b.symbol)}` : ""),
    b.solutions.length ? h("ul", { class: "solutions" }, b.solutions.map((c) => h("li", {},
      `solution ${c.claim_id}: `, safeLink(c.uri), c.paid !== "0" ? ` (paid ${amount(c.paid, b.decimals, b.symbol)})` : "")))
      : null));
  $("#view").replaceChildren(h("h1", {}, "Bounties"),
    h("p", { class: "muted" }, "Pledges are held by the escrow contract: they go to the hunter the approver awards, or back to their funder."),
    filters, data.bounties.length ? h("div", { class: "cards", id: "bounties" }, cards)
      : h("p", { class: "muted", id: "bounties" }, "No bounty matches."));
}

function showIndex(index) {
  $("#index-info").textContent = index.cursor !== null ? `index at block ${index.cursor}` : "index empty";
}

async function renderBounty(id) {
  const data = await api(`/api/bounties/${id}`);
  showIndex(data.index);
  const b = data.bounty;
  const now = data.index.cursor_time ?? Date.now() / 1000;
  const fmt = (value) => amount(value, b.decimals, b.symbol);
  const progress = h("ol", { class: "progress", id: "progress" });
  const after = async (ok) => { if (ok) await renderBounty(id).then(() => $("#progress").replaceWith(progress)); };
  const open = b.status === "open";
  const panels = [];
  if (!state.account) {
    panels.push(h("div", { class: "panel" }, h("h3", {}, "Act on this bounty"),
      h("p", { class: "muted" }, "Connect a wallet to pledge, submit a solution or award.")));
  } else if (!state.chainOk) {
    panels.push(h("div", { class: "panel" }, h("p", {}, "Switch your wallet to the escrow's chain first.")));
  } else if (!open) {
    const mine = data.pledges.find((p) => p.funder === state.account && p.state === "refundable");
    panels.push(h("div", { class: "panel" }, h("h3", {}, `This bounty is ${b.status}`),
      mine ? h("form", { id: "refund-form", onsubmit: async (event) => {
        event.preventDefault();
        await after(await refund(b, progress));
      } }, h("span", {}, `Your pledge of ${fmt(mine.outstanding)} can be taken back.`),
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
        await after(await submitSolution(b, event.target.url.value, progress));
      } }, h("input", { name: "url", type: "url", placeholder: "https://github.com/…/pull/…", required: true }),
      h("button", { type: "submit" }, "Submit"))));
    if (state.account === b.approver && data.claims.length) {
      const inputs = {};
      panels.push(h("div", { class: "panel" }, h("h3", {}, "Award (you are the approver)"),
        h("form", { id: "award-form", onsubmit: async (event) => {
          event.preventDefault();
          const shares = Object.fromEntries(Object.entries(inputs).map(([claim, input]) => [claim, input.value]));
          await after(await award(b, shares, progress));
        } }, h("div", { class: "shares" }, data.claims.map((c) => {
          inputs[c.claim_id] = h("input", { type: "number", min: "0", max: "100", step: "0.01", value: "0",
            name: `claim-${c.claim_id}` });
          return h("label", {}, inputs[c.claim_id], `% to claim ${c.claim_id} (${short(c.hunter)})`);
        })), h("button", { type: "submit" }, "Award"))));
    }
  }
  $("#view").replaceChildren(
    h("p", {}, h("a", { href: "/", dataset: { nav: "" } }, "← all bounties")),
    h("h1", {}, `Bounty #${b.bounty_id} `, badge(b.status)),
    h("p", {}, safeLink(b.uri)),
    h("div", { class: "stats" },
      [["held now", fmt(b.total), "total"], ["pledged in all", fmt(b.pledged)], ["refunded", fmt(b.refunded)],
        ["paid to winners", fmt(b.paid_out)]]
        .map(([label, value, id]) => h("div", { class: "stat" }, h("div", { class: "label" }, label),
          h("div", { class: "value", id: id ? `stat-${id}` : null }, value)))),
    h("dl", { class: "parties" },
      [["deadline", `${utc(b.deadline)} (${relative(b.deadline, now)})`], ["issuer", b.issuer], ["approver", b.approver],
        ["currency", b.token === ethers.ZeroAddress ? "ETH" : `${b.symbol} at ${b.token}`]]
        .map(([label, value]) => [h("dt", {}, label), h("dd", { class: "mono" }, value)])),
    h("h2", {}, "Act"), h("div", { class: "actions" }, panels), progress,
    h("h2", {}, "Pledges"),
    data.pledges.length ? h("table", { id: "pledges" }, h("tr", {}, ["funder", "pledged", "held", "unlocks", "state"].map((t) => h("th", {}, t))),
      data.pledges.map((p) => h("tr", { dataset: { funder: p.funder } }, h("td", { class: "mono" }, p.funder), h("td", {}, fmt(p.pledged)),
        h("td", {}, fmt(p.outstanding)), h("td", {}, utc(p.unlocks_at)), h("td", {}, p.state))))
      : h("p", { class: "muted", id: "pledges" }, "No pledges yet."),
    h("h2", {}, "Solutions"),
    data.claims.length ? h("table", { id: "claims" }, h("tr", {}, ["claim", "hunter", "solution", "paid"].map((t) => h("th", {}, t))),
      data.claims.map((c) => h("tr", {}, h("td", {}, String(c.claim_id)), h("td", { class: "mono" }, c.hunter),
        h("td", {}, safeLink(c.uri)), h("td", {}, c.paid !== "0" ? fmt(c.paid) : "-"))))
      : h("p", { class: "muted", id: "claims" }, "No solutions yet."),
  );
}

function showFatal(error) {
  $("#view").replaceChildren(h("p", { class: "failed" }, `Error: ${error.message || error}`));
}

async function refresh() {
  renderWallet();
  await checkChain();
  const match = location.pathname.match(/^\/bounty\/(\d+)\/?$/);
  try {
    if (match) await renderBounty(match[1]);
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
  state.tokenIface = new ethers.Interface(state.info.token_abi);
  $("#escrow-info").textContent = `escrow ${state.info.escrow} on chain ${state.info.chain_id}`;
  discoverWallets();
  await new Promise((resolve) => setTimeout(resolve, 100)); // let wallets announce themselves
  await refresh();
  document.body.dataset.ready = "true";
}

main().catch(showFatal);

// The award form's rules, the command line's (`bountychain award|propose ID 1=70% 2=30% --part 30%`,
// bountychain/cli/_params.py and the SDK's checks): shares and a milestone's part are percentages
// with at most two decimals (whole basis points), the shares add up to 100%, a milestone pays
// more than 0% and less than 100% of the pool, and a part that comes to nothing is refused. Each
// check throws a sentence that names the problem, so the page sends nothing on bad input.
// No DOM and no dependency: node runs it as the browser does (tests/test_web_review_parts.py).

export const BPS = 10000;

// "30", "30%", "12.5" or "0.01" (percent) to basis points; a sentence if it is none of those.
export function percentToBps(text, what) {
  const value = String(text ?? "").trim().replace(/\s*%$/, "");
  const found = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(value);
  if (!found) {
    throw new Error(`${what} ("${String(text ?? "").trim()}") is not a percentage with at most two decimals (e.g. 30 or 12.5)`);
  }
  return Number(found[1]) * 100 + Number((found[2] ?? "").padEnd(2, "0"));
}

// A milestone's part of the pool, in basis points: from 0.01% up to 100% (100%: the whole pool,
// an award or a proposal of the whole).
export function checkPart(text) {
  const bps = percentToBps(text, "The part of the pool paid now");
  if (bps < 1 || bps > BPS) {
    throw new Error(`The part of the pool paid now must be more than 0% and at most 100%, not ${bps / 100}%`);
  }
  return bps;
}

// The split typed in the form ({ claimId: "70", … }) as the contract takes it: claim ids and
// shares in basis points, the claims left at 0 dropped; a sentence unless it adds up to 100%.
export function checkSplit(typed) {
  const ids = [], bps = [];
  let total = 0;
  for (const [claim, text] of Object.entries(typed)) {
    const share = String(text ?? "").trim() === "" ? 0 : percentToBps(text, `The share of claim ${claim}`);
    total += share;
    if (share > 0) { ids.push(BigInt(claim)); bps.push(BigInt(share)); }
  }
  if (total !== BPS) {
    throw new Error(`The shares add up to ${total / 100}%, not 100%: ${total > BPS ? `${(total - BPS) / 100}% too many`
      : `${(BPS - total) / 100}% to go`}`);
  }
  return { ids, bps };
}

// What a part of the pool comes to now, rounded down as the escrow rounds it (BigInt).
export const partOf = (pool, partBps) => (BigInt(pool) * BigInt(partBps)) / BigInt(BPS);

// Refuses, as the SDK does (NothingToAward), a pool or a part of it that pays nothing.
export function checkSomethingPaid(pool, partBps, fmt) {
  if (BigInt(pool) === 0n) throw new Error("Nothing is pledged on this bounty yet: there is nothing to pay");
  if (partOf(pool, partBps) === 0n) {
    throw new Error(`${partBps / 100}% of the ${fmt(pool)} held comes to less than the smallest unit: it would pay nothing`);
  }
}

// A proposal in words: what part of the pool it pays (a milestone or the whole), to which claims
// and hunters and, while it is pending, until when backers may object (a date). `claims` maps a
// claim id to its hunter; `partBps` 0 or 10,000 is the whole pool.
export function proposalWords({ partBps, total, claimIds, sharesBps, claims, fmt, short, windowEnd, utc, pending }) {
  const whole = !partBps || Number(partBps) >= BPS;
  const what = whole ? `the whole pool, at most ${fmt(total)}`
    : `a milestone: ${Number(partBps) / 100}% of the pool, at most ${fmt(partOf(total, partBps))} of the ${fmt(total)} held`
      + " (the rest stays open under the same deadline and locks)";
  const to = claimIds.map((id, i) => `${Number(sharesBps[i]) / 100}% to claim ${id}`
    + (claims[id] ? ` (${short(claims[id])})` : "")).join(", ");
  const review = pending ? ` Backers may object until ${utc(windowEnd)}: a pledge withheld by an objection pays nothing`
    + ` of it${whole ? "" : " and keeps its worth for the next milestone"}.` : "";
  return `It pays ${what}: ${to}.${review}`;
}

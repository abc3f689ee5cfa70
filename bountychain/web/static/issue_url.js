// Issue URLs the create form accepts: an issue on GitHub, GitLab, Codeberg or Gitea (gitea.com, or
// a self-hosted Gitea or Forgejo, whose issues have the same shape), or on a host the server
// accepts (a GitHub Enterprise Server, a self-hosted GitLab: see `forgeOf`), normalised; anything else
// (another scheme, a pull or merge request, a bare repository, a page that is no issue) is
// refused with the reason. No dependency: the browser tests and node run it as it is.
// Like the SDK (bountychain/issue_urls.py), it keeps one fragment, the security contact key that
// private reports are sealed to (`#security-key=0x02…`, as written), refuses a malformed one and
// drops any other.

// The forges known without configuration (bountychain/issue_urls.py's KNOWN_FORGES), by host.
export const KNOWN_HOSTS = { "github.com": "github", "gitlab.com": "gitlab", "codeberg.org": "gitea", "gitea.com": "gitea" };
const NAMES = { github: "GitHub", gitlab: "GitLab", gitea: "Gitea", "codeberg.org": "Codeberg" };
// Path patterns (groups: repository path, issue number). GitLab's groups nest
// (group/subgroup/project); its issues live under /-/ (older links omit it).
const OWNER_REPO = /^\/([^/]+\/[^/]+)\/issues\/(\d+)$/;
const PATHS = { github: OWNER_REPO, gitlab: /^\/((?:[^/]+\/)+[^/]+)\/issues\/(\d+)$/, gitea: OWNER_REPO };

// The forge of a host: the known ones, plus the hosts the server accepts (`hosts`, host -> kind,
// served in /api/info as `issue_hosts`: a GitHub Enterprise Server named by $GITHUB_SERVER_URL, the
// self-hosted forges of $BOUNTYCHAIN_ISSUE_HOSTS); any other host is tried as a self-hosted Gitea.
function forgeOf(host, hosts) {
  const own = (map) => (map && Object.hasOwn(map, host) ? map[host] : undefined);
  const kind = own(KNOWN_HOSTS) ?? own(hosts);
  if (!Object.hasOwn(PATHS, kind ?? "")) return { kind: "gitea", name: "Gitea", known: false };
  return { kind, name: own(NAMES) ?? NAMES[kind], known: true, configured: !Object.hasOwn(KNOWN_HOSTS, host) };
}

// The forges a create form accepts, in words: the known ones and the server's own.
export function acceptedForges(hosts) {
  const own = Object.entries(hosts ?? {}).filter(([host, kind]) => !Object.hasOwn(KNOWN_HOSTS, host) && Object.hasOwn(PATHS, kind))
    .map(([host, kind]) => `${host} (${NAMES[kind]})`);
  return `GitHub, GitLab, Codeberg or Gitea${own.length ? `, or ${own.join(", ")}` : ""}`;
}
// bountychain/issue_urls.py's _SECURITY_FRAGMENT: a compressed secp256k1 public key, the whole fragment.
const SECURITY_FIELD = "security-key=";
const SECURITY_FRAGMENT = /^security-key=0x0[23][0-9a-fA-F]{64}$/;
const NOT_ISSUES = [[/\/(?:pull|pulls)\/\d+/, "a pull request"], [/\/merge_requests\/\d+/, "a merge request"],
  [/\/commit\/[0-9a-f]+/i, "a commit"]];

export function normaliseIssueUrl(text, hosts = {}) {
  const raw = String(text ?? "").trim();
  if (!raw) throw new Error("give the issue's URL, e.g. https://github.com/owner/repo/issues/12");
  let url;
  try { url = new URL(raw); } catch { throw new Error(`"${raw}" is not a URL: give the issue's https:// address`); }
  if (url.protocol !== "https:") throw new Error(`"${raw}" is not an https:// address: give the issue's web address`);
  if (url.username || url.password) throw new Error(`"${raw}" carries a user name or password: give the issue's plain address`);
  const host = url.hostname.toLowerCase().replace(/^www\./, "");
  const path = url.pathname.replace(/\/+$/, "");
  for (const [pattern, what] of NOT_ISSUES) {
    if (pattern.test(path)) throw new Error(`${raw} is ${what}, not an issue: give the issue it solves`);
  }
  const forge = forgeOf(host, hosts);
  // The SDK refuses a port on the forges it knows (the one spelling of an issue has none).
  if (forge.known && url.port) throw new Error(`"${raw}" carries a port: give the issue's plain address on ${host}`);
  const found = (forge.kind === "gitlab" ? path.replace(/\/-\/issues\//, "/issues/") : path).match(PATHS[forge.kind]);
  if (!found || found[1].split("/").some((part) => part === "-" || part.startsWith("."))) {
    if (!forge.known) {  // not an issue page on any forge we know
      throw new Error(`${raw} is not an issue URL: give an issue on ${acceptedForges(hosts)}, `
        + "e.g. https://github.com/owner/repo/issues/12");
    }
    throw new Error(`${raw} is not an issue on ${forge.name}: it should look like https://${host}/owner/repo/`
      + `${forge.kind === "gitlab" ? "-/" : ""}issues/12`);
  }
  // Owner and repository in lowercase, as the SDK writes them (the forges ignore their case): one
  // issue, one spelling, one uriHash on chain, which the GitHub App and the API's ?issue= find.
  const repo = found[1].toLowerCase();
  const issue = found[2].replace(/^0+(?=\d)/, "");
  if (issue === "0") throw new Error(`${raw}: issue numbers start at 1`);
  // The fragment as typed (everything after the first "#", as Python's urlsplit reads it; the URL
  // parser would percent-encode it): a security key is kept exactly (its field's name in
  // lowercase, however it was typed, so a key is never dropped for its spelling), a malformed one
  // refused.
  const typed = raw.includes("#") ? raw.slice(raw.indexOf("#") + 1) : "";
  const keeps = typed.slice(0, SECURITY_FIELD.length).toLowerCase() === SECURITY_FIELD;
  const fragment = keeps ? SECURITY_FIELD + typed.slice(SECURITY_FIELD.length) : "";
  if (keeps && !SECURITY_FRAGMENT.test(fragment)) {
    throw new Error(`${raw}: the bounty's security contact key is malformed: #security-key= must be a compressed `
      + "secp256k1 public key (0x and 66 hex digits, as `bountychain report contact-url` writes it)");
  }
  const port = url.port ? `:${url.port}` : "";
  const repoPath = forge.kind === "gitlab" ? `${repo}/-/issues/${issue}` : `${repo}/issues/${issue}`;
  const address = `https://${host}${port}/${repoPath}`;
  // `url` goes on chain; `address` is the issue's own page; `securityKey` is null without a key.
  return { url: keeps ? `${address}#${fragment}` : address, address, securityKey: keeps ? fragment.slice(SECURITY_FIELD.length) : null,
    kind: forge.name, host, repo, issue: Number(issue), configured: Boolean(forge.configured) };
}

// Whether `text` is an issue on a forge known here or to the server (`hosts`): what a solution
// must not be (the SDK's `check_solution_url`: an issue is what a bounty funds, not what solves it).
export function isIssueUrl(text, hosts = {}) {
  let issue;
  try { issue = normaliseIssueUrl(text, hosts); } catch { return false; }
  return forgeOf(issue.host, hosts).known;
}

// Issue URLs the create form accepts: an issue on GitHub, GitLab, Codeberg or Gitea (gitea.com, or
// a self-hosted Gitea or Forgejo, whose issues have the same shape), normalised; anything else
// (another scheme, a pull or merge request, a bare repository, a page that is no issue) is
// refused with the reason. No dependency: the browser tests and node run it as it is.

const FORGES = [
  // [kind, host test, path pattern (groups: repository path, issue number)]
  ["GitHub", (host) => host === "github.com", /^\/([^/]+\/[^/]+)\/issues\/(\d+)$/],
  // GitLab: groups nest (group/subgroup/project); issues live under /-/ (older links omit it).
  ["GitLab", (host) => host === "gitlab.com", /^\/((?:[^/]+\/)+[^/]+)\/issues\/(\d+)$/],
  ["Codeberg", (host) => host === "codeberg.org", /^\/([^/]+\/[^/]+)\/issues\/(\d+)$/],
  ["Gitea", () => true, /^\/([^/]+\/[^/]+)\/issues\/(\d+)$/],
];
const NOT_ISSUES = [[/\/(?:pull|pulls)\/\d+/, "a pull request"], [/\/merge_requests\/\d+/, "a merge request"],
  [/\/commit\/[0-9a-f]+/i, "a commit"]];

export function normaliseIssueUrl(text) {
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
  for (const [kind, hostMatches, pattern] of FORGES) {
    if (!hostMatches(host)) continue;
    const found = (kind === "GitLab" ? path.replace(/\/-\/issues\//, "/issues/") : path).match(pattern);
    if (!found || found[1].split("/").some((part) => part === "-" || part.startsWith("."))) {
      if (kind === "Gitea") break;  // not an issue page on any forge we know
      throw new Error(`${raw} is not an issue on ${kind}: it should look like https://${host}/owner/repo/`
        + `${kind === "GitLab" ? "-/" : ""}issues/12`);
    }
    const issue = found[2].replace(/^0+(?=\d)/, "");
    if (issue === "0") throw new Error(`${raw}: issue numbers start at 1`);
    const port = url.port ? `:${url.port}` : "";
    const repoPath = kind === "GitLab" ? `${found[1]}/-/issues/${issue}` : `${found[1]}/issues/${issue}`;
    return { url: `https://${host}${port}/${repoPath}`, kind, host, repo: found[1], issue: Number(issue) };
  }
  throw new Error(`${raw} is not an issue URL: give an issue on GitHub, GitLab, Codeberg or Gitea, `
    + "e.g. https://github.com/owner/repo/issues/12");
}

"""`bountychain github`: the GitHub App that brings bounties into issue comments.

    bountychain github manifest https://bot.example.org      # the App's manifest, to register it
    bountychain github serve --page https://bounties.example.org --token USDC=0xA0b8...
    bountychain --account bob github sign-link bob-on-github  # then post `/link ADDRESS SIGNATURE`

`serve` reads $BOUNTYCHAIN_GITHUB_APP_ID, the webhook secret from
$BOUNTYCHAIN_GITHUB_WEBHOOK_SECRET (or a file named by $BOUNTYCHAIN_GITHUB_WEBHOOK_SECRET_FILE)
and the App's private key from $BOUNTYCHAIN_GITHUB_PRIVATE_KEY (or ..._FILE): never from the
command line. It reads the index (--db, as `bountychain index`) and keeps its own tables there.
"""

from __future__ import annotations

import json
import logging

import click
from rich.text import Text

from bountychain.cli._context import Group, command, get_settings
from bountychain.cli._errors import CliInputError
from bountychain.cli._session import connect
from bountychain.cli.index import default_db
from bountychain.issue_urls import github_server_host


def github_endpoints(server_url: str | None, api_url: str | None) -> tuple[str, str]:
    """(web host, REST API URL) of the GitHub the App is installed on: github.com and its API
    by default; for a GitHub Enterprise Server at https://HOST, its API at https://HOST/api/v3
    unless --api-url names another."""
    host = github_server_host(server_url) if server_url else "github.com"
    if api_url:
        if not api_url.startswith(("https://", "http://")):
            raise CliInputError(f"--api-url {api_url!r}: write the REST API's address, e.g. https://{host}/api/v3")
        return host, api_url.rstrip("/")
    return host, "https://api.github.com" if host == "github.com" else f"https://{host}/api/v3"


@click.group("github", cls=Group)
def github() -> None:
    """A GitHub App: /bounty and /claim in issues, and a status comment per issue."""


@github.command("manifest")
@click.argument("url")
@click.option("--webhook-url", metavar="URL", help="Where GitHub delivers events (default: URL/webhook).")
def manifest_command(url: str, webhook_url: str | None) -> None:
    """Print the App's manifest (least permissions) for the service at URL."""
    from bountychain.github import app_manifest

    click.echo(json.dumps(app_manifest(url, webhook_url), indent=2))


def _tokens(client: object, specs: tuple[str, ...]) -> dict[str, object]:
    from bountychain.github import Token

    eth = "0x0000000000000000000000000000000000000000"
    tokens = {"ETH": Token("ETH", eth, 18)}
    for spec in specs:
        symbol, _, address = spec.partition("=")
        if not symbol or not address:
            raise CliInputError(f"--token {spec!r}: write SYMBOL=ADDRESS, e.g. USDC=0xA0b8...")
        info = client.token_info(address)  # type: ignore[attr-defined]
        tokens[symbol.upper()] = Token(info.symbol, info.address, info.decimals)
    return tokens


@command("serve")
@click.option("--db", metavar="URL", help="The index database (as `bountychain index --db`); the bot's tables go "
                                          "beside it.")
@click.option("--page", "page_url", required=True, metavar="URL", envvar="BOUNTYCHAIN_PAGE_URL",
              help="Where the bounty page is served (`bountychain serve`); the bot's links open it.")
@click.option("--token", "token_specs", multiple=True, metavar="SYMBOL=ADDRESS",
              help="A token `/bounty` accepts besides ETH (repeatable).")
@click.option("--app-id", envvar="BOUNTYCHAIN_GITHUB_APP_ID", required=True, help="The App's id ($BOUNTYCHAIN_GITHUB_APP_ID).")
@click.option("--server-url", metavar="URL", envvar=["BOUNTYCHAIN_GITHUB_SERVER_URL", "GITHUB_SERVER_URL"],
              help="GitHub's web address, whose issue and pull request URLs the bot matches (default "
                   "https://github.com; GitHub Enterprise Server: https://HOST; $GITHUB_SERVER_URL as in Actions).")
@click.option("--api-url", metavar="URL", envvar=["BOUNTYCHAIN_GITHUB_API", "GITHUB_API_URL"],
              help="GitHub's REST API (default https://api.github.com, or https://HOST/api/v3 with --server-url; "
                   "$GITHUB_API_URL as in Actions).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8010, show_default=True, help="Port (0: a free one).")
@click.option("--interval", type=click.FloatRange(min=1.0), default=15.0, show_default=True,
              help="Seconds between updates of the status comments from the index.")
@click.option("--sync", is_flag=True, help="Also sync the index from the chain before each update (when no "
                                           "`bountychain serve` or `index --follow` does).")
def serve(db: str | None, page_url: str, token_specs: tuple[str, ...], app_id: str, server_url: str | None,
          api_url: str | None, host: str, port: int, interval: float, sync: bool) -> None:
    """Serve the App's webhook: answer commands, keep each issue's status comment current.

    One bot process per database: a second one on the same --db refuses to start."""
    from bountychain.github import Bot, BotConfig, BotState, GitHubApi, StatusLoop, create_github_app, read_secret
    from bountychain.github.server import WebhookServer
    from bountychain.index import Indexer, open_index

    # What the bot did, on stderr (never a secret: see bountychain.github.rest and .app).
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    web_host, api_url = github_endpoints(server_url, api_url)
    secret = read_secret("BOUNTYCHAIN_GITHUB_WEBHOOK_SECRET")
    private_key = read_secret("BOUNTYCHAIN_GITHUB_PRIVATE_KEY")
    client = connect(signer=False)
    target = db or default_db(client.chain_id, client.address)
    indexer = Indexer.for_client(client, target) if sync else None
    index = indexer.db if indexer is not None else open_index(target)
    tokens = _tokens(client, token_specs)
    config = BotConfig(page_url, client.chain_id, client.address, tokens, web_host=web_host)  # type: ignore[arg-type]
    bot = Bot(config, index, BotState(index.engine), GitHubApi(app_id, private_key, base_url=api_url))
    if indexer is not None:
        bot.before_refresh = indexer.sync
    app = create_github_app(bot, secret)
    server = WebhookServer(app, host, port)
    loop = StatusLoop(bot, interval).start()
    ui = get_settings().ui
    url = f"http://{host if ':' not in host else f'[{host}]'}:{server.server_address[1]}/webhook"
    ui.emit({"webhook": url, "app_id": app_id, "chain_id": client.chain_id, "escrow": client.address,
             "tokens": sorted(config.tokens), "github": web_host, "api_url": api_url},
            lambda: ui.say(Text(f"GitHub App {app_id}: webhook at {url}, escrow {client.address}; tokens "
                                f"{', '.join(sorted(config.tokens))}; Ctrl-C stops", style="bold")))
    try:
        server.serve_forever()
    finally:
        loop.stop()
        app.state.deliveries.stop()
        server.server_close()


@command("sign-link")
@click.argument("login")
def sign_link_command(login: str) -> None:
    """Sign the statement that GitHub login LOGIN holds your address; post the printed
    `/link ...` line as a comment from that login."""
    from bountychain.github import sign_link

    client = connect(signer=True)
    signer = client.signer
    signature = sign_link(signer, login)
    line = f"/link {signer.address} {signature}"
    ui = get_settings().ui
    ui.emit({"login": login.lower(), "address": signer.address, "signature": signature, "comment": line},
            lambda: (ui.note(f"post this as a comment by @{login} on any issue where the bot is installed:"),
                     ui.say(Text(line))))


for _command in (serve, sign_link_command):
    github.add_command(_command)

COMMANDS = [github]

__all__ = ["COMMANDS"]



"""``restomairie create-user``: create a staff account from the command line."""

from __future__ import annotations

import sys

import click

from restomairie.staff.accounts import ROLES, AccountError, AccountService


def create_user(service: AccountService, username: str, role: str, password: str) -> str:
    """Create the account; the confirmation sentence (AccountError when refused)."""
    user = service.create_user(username, role, password, by="system:create-user")
    return f"Compte {user.username} créé (rôle : {user.role_label})."


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="staff", show_default=True,
              help="staff : personnel ; kitchen : pages cuisine ; admin : + comptes et imports.")
@click.option("--password-stdin", is_flag=True,
              help="Lire le mot de passe sur l'entrée standard (sinon : demandé deux fois).")
@click.pass_context
def create_user_cmd(ctx: click.Context, username: str, role: str, password_stdin: bool) -> None:
    """Créer un compte du personnel USERNAME (mot de passe demandé, jamais en argument)."""
    from restomairie.cli import friendly, runtime

    @friendly
    def run() -> None:
        rt = runtime(ctx)
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = click.prompt("Mot de passe", hide_input=True, confirmation_prompt=True)
        try:
            click.echo(create_user(AccountService(rt.sessions, rt.clock), username, role, password))
        except AccountError as exc:
            click.echo(f"Refusé : {exc}", err=True)
            sys.exit(1)

    run()

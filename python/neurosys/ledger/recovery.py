"""``Recovery``: bringing the chain back in line with the journal at start-up (``replay`` what a
chain lacks, ``reconcile`` what a node may or may not hold), and checking that it is
(``verify``)."""

from __future__ import annotations

import logging
import time
from typing import Any

from web3.contract import Contract

from .accounts import Accounts
from .amounts import from_wei, to_wei
from .book import Book
from .journal import JournalCorrupt, JournalEntry
from .sender import MAX_BATCH, TxSender

__all__ = ["Recovery"]

log = logging.getLogger("neurosys.ledger")


class Recovery:
    """Replays, reconciles and verifies the journal (``book``) against the token on the chain.

    Args:
        book: the journal in memory; statuses are settled through it.
        accounts: the agents' accounts (created and funded as a replay needs them).
        sender: signs and sends the replayed transactions; its chain has the receipts of
            journaled ones, its config the mint cap that is set again after a replay.
        token: the deployed token (balances, total supply and paid reward ids).

    A read-only ``book`` reports what is unsettled instead of settling it.
    """

    def __init__(self, book: Book, accounts: Accounts, sender: TxSender, token: Contract) -> None:
        self.book = book
        self.accounts = accounts
        self.sender = sender
        self.token = token

    def _paid(self, e: JournalEntry) -> bool:
        return bool(self.token.functions.paid(bytes.fromhex(e.entry_id[2:])).call())

    def replay(self, entries: list[JournalEntry]) -> None:
        """Execute journaled entries again, in order, on a chain that lacks them (a fresh
        deployment, or the embedded chain restored from an older snapshot). Failed entries stay
        failed. The cap is lifted for the replay (these rewards were already within it) and then
        set again."""
        status = self.book.status
        todo = [e for e in entries if status.get(e.entry_id) != "failed"]
        if not todo:
            return
        t0 = time.perf_counter()
        period = self.sender.config.period_seconds
        lifted = any(e.kind == "reward" for e in todo)
        if lifted:
            self.sender.admin_call("set_cap", 2**256 - 1, period)
        for agent in {e.src for e in todo if e.src} | {e.dst for e in todo}:
            self.accounts.index(agent)
            self.accounts.ensure_funded(agent)
        i = 0
        while i < len(todo):
            if todo[i].kind == "reward":
                j = i
                while j < len(todo) and j - i < MAX_BATCH and todo[j].kind == "reward":
                    j += 1
                group = todo[i:j]
                raw, tx_hash = self.sender.mint_tx([self.accounts.address(e.dst) for e in group],
                                                   group)
                receipt = self.sender.submit_mint(raw)
            else:
                j = i + 1
                group = [todo[i]]
                src = self.accounts.account(group[0].src)
                raw, tx_hash = self.sender.transfer_tx(src, self.accounts.address(group[0].dst),
                                                       group[0].amount_wei)
                receipt = self.sender.submit(raw, src)
            was_ok = all(status.get(e.entry_id) != "failed" for e in group)
            if not self.book.finish(group, receipt, tx_hash) and was_ok:
                log.error("replayed journal entries %d..%d reverted; marked failed",
                          group[0].seq, group[-1].seq)
            i = j
        if lifted:
            self.sender.admin_call("set_cap", to_wei(self.sender.config.cap_per_period), period)
        log.info("replayed %d journal entries in %.2f s", len(todo), time.perf_counter() - t0)

    def reconcile(self) -> None:
        """On a node that kept the contract: settle entries journaled but not known to be
        settled (the process died between journaling and the receipt). A mined transaction is
        recorded as it went; a reward id the contract has paid is confirmed; anything else is
        sent again."""
        resend: list[JournalEntry] = []
        for e in self.book.entries:
            if self.book.status.get(e.entry_id) is not None:
                continue
            receipt = self.sender.chain.receipt(e.tx_hash)
            if receipt is not None:
                self.book.finish([e], receipt, e.tx_hash)
            elif e.kind == "reward" and self._paid(e):
                self.book.confirm_paid(e)
            else:
                resend.append(e)
        if resend and self.book.read_only:
            log.warning("%d journaled entries never reached the chain; open the ledger writable"
                        " to send them", len(resend))
        elif resend:
            log.warning("sending %d journaled entries again that never reached the chain",
                        len(resend))
            self.replay(resend)

    def verify(self, deep: bool = False) -> dict[str, Any]:
        """Check the chain against the journal: the journal's hash chain, every account's
        balance, the total supply, unsettled entries, and with ``deep`` that the contract has
        paid every confirmed reward id (one call per reward). ``report["ok"]`` is True when all
        agree."""
        book = self.book
        report: dict[str, Any] = {"entries": len(book.entries), "journal_ok": True,
                                  "pending": [], "failed": [], "mismatches": {}, "unpaid": []}
        try:
            book.check_on_disk()
        except JournalCorrupt as exc:
            report["journal_ok"] = False
            report["journal_error"] = str(exc)
        minted = 0
        for e in book.entries:
            st = book.status.get(e.entry_id)
            if st is None:
                report["pending"].append(e.entry_id)
            elif st == "failed":
                report["failed"].append(e.entry_id)
            elif e.kind == "reward":
                minted += e.amount_wei
                if deep and not self._paid(e):
                    report["unpaid"].append(e.entry_id)
        for agent in sorted(set(self.accounts.agents) | set(book.balances)):
            want = book.balances.get(agent, 0)
            have = self.token.functions.balanceOf(self.accounts.address(agent)).call()
            if want != have:
                report["mismatches"][agent] = (from_wei(want), from_wei(have))
        supply = self.token.functions.totalSupply().call()
        report["total_supply"] = {"journal": from_wei(minted), "chain": from_wei(supply)}
        report["ok"] = (report["journal_ok"] and not report["pending"]
                        and not report["mismatches"] and not report["unpaid"] and supply == minted)
        return report

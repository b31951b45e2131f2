"""Bringing the chain back in line with the journal at start-up, and checking that it is.
These are methods of ``Ledger`` kept in their own file; ``self`` is the Ledger."""

from __future__ import annotations

import logging
import time
from typing import Any

from .amounts import from_wei, to_wei
from .journal import JournalCorrupt, JournalEntry

log = logging.getLogger("neurosys.ledger")

_MAX_BATCH = 256


def _replay(self: Any, entries: list[JournalEntry]) -> None:
    """Execute journaled entries again, in order, on a chain that lacks them (a fresh deployment,
    or the embedded chain restored from an older snapshot). Failed entries stay failed. The cap
    is lifted for the replay (these rewards were already within it) and then set again."""
    todo = [e for e in entries if self.status.get(e.entry_id) != "failed"]
    if not todo:
        return
    t0 = time.perf_counter()
    lifted = any(e.kind == "reward" for e in todo)
    if lifted:
        self._admin_call("set_cap", 2**256 - 1, self.config.period_seconds)
    for agent in {e.src for e in todo if e.src} | {e.dst for e in todo}:
        self._index(agent)
        self._ensure_funded(agent)
    i = 0
    while i < len(todo):
        if todo[i].kind == "reward":
            j = i
            while j < len(todo) and j - i < _MAX_BATCH and todo[j].kind == "reward":
                j += 1
            group = todo[i:j]
            raw, tx_hash = self._mint_tx(group)
            account = self.keys.account(1)
        else:
            j = i + 1
            group = [todo[i]]
            raw, tx_hash = self._transfer_tx(group[0].src, group[0].dst, group[0].amount_wei)
            account = self.keys.account(self._index(group[0].src))
        receipt = self._submit(raw, account)
        was_ok = all(self.status.get(e.entry_id) != "failed" for e in group)
        if not self._finish(group, receipt, tx_hash) and was_ok:
            log.error("replayed journal entries %d..%d reverted; marked failed",
                      group[0].seq, group[-1].seq)
        i = j
    if lifted:
        self._admin_call("set_cap", to_wei(self.config.cap_per_period), self.config.period_seconds)
    log.info("replayed %d journal entries in %.2f s", len(todo), time.perf_counter() - t0)


def _reconcile(self: Any) -> None:
    """On a node that kept the contract: settle entries journaled but not known to be settled
    (the process died between journaling and the receipt). A mined transaction is recorded as
    it went; a reward id the contract has paid is confirmed; anything else is sent again."""
    resend: list[JournalEntry] = []
    for e in self.entries:
        if self.status.get(e.entry_id) is not None:
            continue
        receipt = self.chain.receipt(e.tx_hash)
        if receipt is not None:
            self._finish([e], receipt, e.tx_hash)
        elif e.kind == "reward" and self.token.functions.paid(bytes.fromhex(e.entry_id[2:])).call():
            if not self.read_only:
                self.journal.set_status([e.entry_id], "confirmed", "", None, "paid on chain",
                                        time.time())
            self.status[e.entry_id] = "confirmed"
        else:
            resend.append(e)
    if resend and self.read_only:
        log.warning("%d journaled entries never reached the chain; open the ledger writable to"
                    " send them", len(resend))
    elif resend:
        log.warning("sending %d journaled entries again that never reached the chain", len(resend))
        self._replay(resend)


def verify(self: Any, deep: bool = False) -> dict[str, Any]:
    """Check the chain against the journal: the journal's hash chain, every account's balance,
    the total supply, unsettled entries, and with ``deep`` that the contract has paid every
    confirmed reward id (one call per reward). ``report["ok"]`` is True when all agree."""
    with self._lock:
        report: dict[str, Any] = {"entries": len(self.entries), "journal_ok": True,
                                  "pending": [], "failed": [], "mismatches": {}, "unpaid": []}
        try:
            on_disk = self.journal.load(verify=True)
            if len(on_disk) < len(self.entries):
                raise JournalCorrupt("the journal on disk has fewer entries than were written")
        except JournalCorrupt as exc:
            report["journal_ok"] = False
            report["journal_error"] = str(exc)
        minted = 0
        for e in self.entries:
            st = self.status.get(e.entry_id)
            if st is None:
                report["pending"].append(e.entry_id)
            elif st == "failed":
                report["failed"].append(e.entry_id)
            elif e.kind == "reward":
                minted += e.amount_wei
                if deep and not self.token.functions.paid(bytes.fromhex(e.entry_id[2:])).call():
                    report["unpaid"].append(e.entry_id)
        for agent in sorted(set(self.agents) | set(self.balances)):
            want = self.balances.get(agent, 0)
            have = self.token.functions.balanceOf(self.address(agent)).call()
            if want != have:
                report["mismatches"][agent] = (from_wei(want), from_wei(have))
        supply = self.token.functions.totalSupply().call()
        report["total_supply"] = {"journal": from_wei(minted), "chain": from_wei(supply)}
        report["ok"] = (report["journal_ok"] and not report["pending"] and not report["mismatches"]
                        and not report["unpaid"] and supply == minted)
        return report

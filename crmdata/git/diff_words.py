"""What `crm diff` says about plans, opportunities and contracts, in Chinese and in English.

The older words of the report (customers, interactions, follow-ups, KPIs) are the vocabulary's PHRASES
(`diff_...`); these are a catalogue of their own, checked like every catalogue by tests/test_vocabulary.py
(both languages, equal placeholders). The handbook's words: 维护计划, 商机, 合同, 签约, 续约, 赢单, 输单.
"""

from __future__ import annotations

from crmdata.records.vocabulary import Catalogue, Word

DIFF_WORDS = Catalogue(
    "diff_words",
    {
        # the headline's parts
        "plans": Word("{count} 个维护计划{change}", "{count} plan {change}", en_plural="{count} plans {change}"),
        "opportunities": Word(
            "{count} 个商机{change}", "{count} opportunity {change}", en_plural="{count} opportunities {change}"
        ),
        "contracts": Word(
            "{count} 份合同{change}", "{count} contract {change}", en_plural="{count} contracts {change}"
        ),
        "moved": Word(
            "{count} 个商机阶段推进",
            "{count} opportunity moved stage",
            en_plural="{count} opportunities moved stage",
        ),
        "won": Word("赢单 {count} 个", "{count} won"),
        "lost": Word("输单 {count} 个", "{count} lost"),
        "signed": Word("新签 {count} 份合同", "{count} contract signed", en_plural="{count} contracts signed"),
        "renewed": Word("续约 {count} 份合同", "{count} contract renewed", en_plural="{count} contracts renewed"),
        "money_change": Word("{kpi} {delta}", "{kpi} {delta}"),
        # the sections
        "stage_section": Word("商机阶段变化（{count}）", "Opportunity stage moves ({count})"),
        "contract_section": Word("签约与续约（{count}）", "Contracts signed and renewed ({count})"),
        "money_section": Word("商机与应收", "Pipeline and receivables"),
        "money_line": Word("{kpi}：{old} → {new}（{delta}）", "{kpi}: {old} → {new} ({delta})"),
        # the words in the tables
        "event_signed": Word("新签", "signed"),
        "event_renewed": Word("续约", "renewed"),
        "period": Word("合作周期", "Period"),
        "amount": Word("金额", "Amount"),
        "open_ended": Word("{start} 起，不定期", "from {start}, open-ended"),
        "renews_note": Word("续约 {id}", "renews {id}"),
    },
)

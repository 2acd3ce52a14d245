"""What `crm validate` says about records and crm.yaml, in Chinese and in English.

Rules and readers pick a sentence here (`RECORD_PROBLEMS.say("no_customer", id=...)`) and keep it as a
value; the terminal, JSON, GitHub annotations, `crm diff` and the site word it in crm.yaml's `language`
(`Problem.text`). The key is the problem's stable `code` in JSON. tests/test_vocabulary.py fails when a
sentence lacks a language or its languages ask for different placeholders, and tests/test_problem_words.py
when a problem is built from English text instead of a sentence from here.
"""

from __future__ import annotations

from crmdata.records.vocabulary import Catalogue, Word

RECORD_PROBLEMS = Catalogue(
    "record_problems",
    {
        # references between records (crmdata.records.validate)
        "no_customer": Word("没有编号为 {id} 的客户", "no customer has the id {id}"),
        "refers_itself": Word("客户不能把自己填为介绍人", "a customer cannot refer itself"),
        "not_on_team": Word(
            "{owner} 不是团队成员（crm.yaml 的 team：{choices}）",
            "{owner} is not on the team (crm.yaml team: {choices})",
        ),
    },
)

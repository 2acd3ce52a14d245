"""What `crm new`, `crm log` and `crm import` say about a record they were asked to draft, in Chinese
and in English.

A draft is checked like `crm validate` checks a record, so most of its problems are the records' own
sentences (`crmdata.records.problem_words.RECORD_PROBLEMS`: a wrong field, an owner not on the team, a
customer that does not exist). Here are the few only drafting has: an id already taken, crm.yaml unusable.
"""

from __future__ import annotations

from crmdata.records.vocabulary import Catalogue, Word

DRAFT_PROBLEMS = Catalogue(
    "draft_problems",
    {
        "config_unreadable": Word("无法读取 crm.yaml", "crm.yaml could not be read"),
        "customer_id_taken": Word("编号 {id} 已被另一个客户使用", "the id {id} is taken by another customer"),
        "interaction_id_taken": Word("编号 {id} 已被另一条沟通记录使用", "the id {id} is taken by another interaction"),
        "id_taken": Word(
            "编号 {id} 已被另一条记录使用（所有记录的编号都不能重复，不分大小写）",
            "the id {id} is taken by another record (ids are unique across all records, ignoring case)",
        ),
    },
)

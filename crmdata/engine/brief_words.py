"""What `crm find`, `crm show` and the CUSTOMER argument say, in Chinese and in English.

Field names and the words of enum values are the vocabulary's (LABELS, term()); these are the sentences
and headings of finding a customer and of the call brief (沟通前准备), with the handbook's talking points
by situation. Checked like every catalogue by tests/test_vocabulary.py (both languages, equal placeholders).
"""

from __future__ import annotations

from crmdata.records.vocabulary import Catalogue, Word

BRIEF_WORDS = Catalogue(
    "brief_words",
    {
        # finding a customer (crm find, and CUSTOMER in every command)
        "no_customer_matches": Word(
            "没有客户的编号、名称或拼音与“{given}”相符；试试 crm find 按标签、行业、联系人查找",
            "no customer's id, name or pinyin matches “{given}”; try crm find (it also searches tags, "
            "industries and contacts)",
        ),
        "candidates": Word("“{given}”符合 {count} 个客户：", "“{given}” matches {count} customers:"),
        "more_candidates": Word(
            "  ……另有 {count} 个（crm find 列出全部）", "  … and {count} more (crm find lists all)"
        ),
        "ambiguous": Word(
            "“{given}”不止指向一个客户，请改用客户编号（如 {example}）",
            "“{given}” names more than one customer: give the id instead (e.g. {example})",
        ),
        "find_none": Word("没有找到与“{given}”相符的客户", "no customer matches “{given}”"),
        "find_count": Word("共 {count} 个客户", "{count} customer", en_plural="{count} customers"),
        "matched_by": Word("匹配", "Matched by"),
        "reason_id": Word("编号", "id"),
        "reason_name": Word("名称", "name"),
        "reason_name_prefix": Word("名称开头", "start of the name"),
        "reason_name_part": Word("名称包含", "part of the name"),
        "reason_pinyin": Word("拼音 {matched}", "pinyin {matched}"),
        "reason_contact": Word("联系人 {matched}", "contact {matched}"),
        "reason_tag": Word("标签 {matched}", "tag {matched}"),
        "reason_industry": Word("行业 {matched}", "industry {matched}"),
        "reason_phone": Word("联系电话含 {matched}", "contact phone with {matched}"),
        # the brief's sections
        "brief_title": Word("沟通前准备：{name}（{id}）", "Call brief: {name} ({id})"),
        "as_of_line": Word("数据日期 {date}", "As of {date}"),
        "who": Word("客户概况", "Who"),
        "followup_section": Word("跟进情况", "Next contact"),
        "plan_section": Word("维护计划", "Maintenance plans"),
        "conversations_section": Word("最近沟通", "Last conversations"),
        "todos_section": Word("未完成待办", "Open todos"),
        "complaints_section": Word("未解决投诉", "Open complaints"),
        "need_changes_section": Word("需求变化", "Need changes"),
        "money_section": Word("续约与回款", "Renewals and payments"),
        "risk_section": Word("流失预警信号", "Risk signals"),
        "care_section": Word("关怀时刻", "Care moments"),
        "talking_points_section": Word("建议沟通要点", "Suggested talking points"),
        "channel_section": Word("建议沟通方式", "Suggested channel"),
        "nothing": Word("无", "none"),
        "labelled": Word("{label}：{value}", "{label}: {value}"),
        "primary_contact": Word("{name}（主要联系人）", "{name} (primary)"),
        "todo_line": Word("{task}（{when}，{id}）", "{task} ({when}, {id})"),
        # lines
        "followup_line": Word("下次跟进 {due}（{status}，{reason}）", "next follow-up {due} ({status}, {reason})"),
        "followup_overdue": Word(
            "下次跟进 {due}（已逾期 {days} 天，{reason}）", "next follow-up {due} ({days} days overdue, {reason})"
        ),
        "last_contact_line": Word("最近联系 {date}", "last contact {date}"),
        "never_contacted": Word("还没有联系过", "not contacted yet"),
        "silent_note": Word("沉默客户：久未联系，需要重新激活", "silent: not contacted for long, needs re-activating"),
        "churned_note": Word("{date} 流失：不再安排跟进", "churned on {date}: no follow-up is planned"),
        "plan_line": Word("{plan} {goal}：{due}（{status}）", "{plan} {goal}: {due} ({status})"),
        "todo_overdue": Word("已逾期 {days} 天", "{days} days overdue"),
        "due_on": Word("{date} 到期", "due {date}"),
        "complaint_line": Word("{id} {date} {topic}（已 {days} 天未解决）", "{id} {date} {topic} (open {days} days)"),
        "renewal_line": Word(
            "{contract} {title}：{end} 到期，{due} 起跟进续约（{status}）",
            "{contract} {title}: ends {end}, renewal follow-up from {due} ({status})",
        ),
        "payment_line": Word("{contract} {title}：{due} 应收 {amount}", "{contract} {title}: {amount} due {due}"),
        "payment_overdue_line": Word(
            "{contract} {title}：{due} 应收 {amount}（已逾期 {days} 天）",
            "{contract} {title}: {amount} due {due} ({days} days overdue)",
        ),
        "at_risk_note": Word("流失风险较高", "at risk of churning"),
        "care_line": Word("{kind} {date}", "{kind} {date}"),
        "care_birthday_line": Word("{contact} {kind} {date}", "{contact}'s {kind} {date}"),
        "masked_note": Word(
            "联系方式已隐藏；加 --internal 显示（仅限内部使用）",
            "contact details masked; add --internal to show them (internal use only)",
        ),
        "situation_established": Word("老客户", "established customer"),
        "situation_complaint": Word("有未解决投诉", "open complaint"),
        "situation_line": Word("情况：{situation}", "Situation: {situation}"),
        # the handbook's talking points by situation
        "usage_feedback": Word(
            "使用反馈：了解产品和服务用得怎么样", "Usage feedback: how the product and service work for them"
        ),
        "problem_solving": Word(
            "问题解决：遇到的问题是否已解决", "Problem solving: whether their problems were solved"
        ),
        "cooperation_ideas": Word(
            "合作建议：听取对合作的意见和建议", "Cooperation ideas: their suggestions for working together"
        ),
        "business_update": Word(
            "业务进展同步：双方业务的最新进展", "Business update: where both sides' business stands"
        ),
        "new_services": Word("新服务介绍：介绍新的产品和服务", "New services: introduce new products and services"),
        "personal_needs": Word("个性化需求挖掘：发现客户自己的新需求", "Personal needs: find needs of their own"),
        "handling_progress": Word(
            "问题处理进展：告知投诉处理到哪一步", "Handling progress: where the complaint's handling stands"
        ),
        "solution_confirmation": Word(
            "解决方案确认：确认客户认可解决方案", "Solution confirmation: confirm they accept the solution"
        ),
        "compensation_plan": Word(
            "后续补偿方案：商定后续的补偿安排", "Compensation plan: agree what follows to make up for it"
        ),
        # why the channel
        "channel_complaint": Word(
            "投诉属重要事项，宜当面或视频沟通", "a complaint is an important matter: face to face"
        ),
        "channel_need_changes": Word(
            "需求有变化，属重要事项，宜当面或视频沟通", "needs changed, an important matter: face to face"
        ),
        "channel_care": Word("只为问候关怀，发消息即可", "a greeting only: a message will do"),
        "channel_routine": Word("日常跟进，打个电话即可", "a routine follow-up: a call will do"),
        "channel_line": Word("{channels}：{why}", "{channels}: {why}"),
        "or": Word("或", " or "),
    },
)

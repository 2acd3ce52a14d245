"""What `crm validate` says about records and crm.yaml, in Chinese and in English.

Rules and readers pick a sentence here (`RECORD_PROBLEMS.say("no_customer", id=...)`) and keep it as a
value; the terminal, JSON, GitHub annotations, `crm diff` and the site word it in crm.yaml's `language`
(`Problem.text`). The key is the problem's stable `code` in JSON. tests/test_vocabulary.py fails when a
sentence lacks a language or its languages ask for different placeholders, and tests/test_problem_words.py
when a problem is built from English text instead of a sentence from here.

Some entries are not problems but parts of one (`found_list`, `did_you_mean`, `span_days`): a sentence's
value may be a sentence too, worded in the same language. The English of each sentence is the text
`crm validate` printed before it spoke Chinese, unchanged: scripts and tests that read it keep working.
"""

from __future__ import annotations

from pydantic_core import PydanticCustomError

from crmdata.records.vocabulary import Catalogue, Message, Word

RECORD_PROBLEMS = Catalogue(
    "record_problems",
    {
        # --- references between records (crmdata.records.validate) ---------------------------------------
        "no_customer": Word("没有编号为 {id} 的客户", "no customer has the id {id}"),
        "refers_itself": Word("客户不能把自己填为介绍人", "a customer cannot refer itself"),
        "not_on_team": Word(
            "{owner} 不是团队成员（crm.yaml 的 team：{choices}）",
            "{owner} is not on the team (crm.yaml team: {choices})",
        ),
        "no_plan": Word("没有编号为 {id} 的维护计划", "no plan has the id {id}"),
        "no_opportunity": Word("没有编号为 {id} 的商机", "no opportunity has the id {id}"),
        "no_contract": Word("没有编号为 {id} 的合同", "no contract has the id {id}"),
        "a_plan": Word("维护计划 {id}", "plan {id}"),
        "an_opportunity": Word("商机 {id}", "opportunity {id}"),
        "a_contract": Word("合同 {id}", "contract {id}"),
        "of_other_customer": Word(
            "{record} 属于客户 {other}，不是这条沟通记录的客户 {customer}",
            "{record} belongs to customer {other}, not to this conversation's customer {customer}",
        ),
        "renews_itself": Word(
            "合同不能续约它自己（renews 写的是它自己的编号）",
            "a contract cannot renew itself (renews names its own id)",
        ),
        "renewal_cycle": Word("续约关系绕成了一个圈：{chain}", "renewals go round in a circle: {chain}"),
        "payments_over_amount": Word(
            "回款计划合计 {total}，超过合同金额 {amount}",
            "the payments add up to {total}, more than the contract amount {amount}",
        ),
        "won_without_contract": Word(
            "商机已赢单，但没有合同的 opportunity 写着 {id}：请登记这份合同",
            "the opportunity is won but no contract names it (opportunity: {id}): record the contract",
        ),
        # --- rules across records (crmdata.records.validate) ---------------------------------------------
        "id_not_file_name": Word(
            "id {id} 与文件名 {stem}.yaml 不一致：请改掉其中一个",
            "id {id} does not match the file name {stem}.yaml: rename one of them",
        ),
        "id_taken": Word("id {id} 已被 {file} 使用", "id {id} is already used by {file}"),
        "before_since": Word(
            "日期是 {day}，但客户 {customer} 的 since 是 {since}",
            "dated {day} but customer {customer} has since: {since}",
        ),
        "no_consent": Word(
            "没有记录客户的同意：请添加 consent: {example}", "no consent recorded: add consent: {example}"
        ),
        "consent_refused": Word(
            "consent.given 是 false：不应保留联系人资料",
            "consent.given is false: contact data should not be kept",
        ),
        "logged_late": Word(
            "沟通后 {delay} 才记录；沟通记录应在 {hours} 小时内录入",
            "recorded {delay} after the conversation; log conversations within {hours} hours",
        ),
        "span_days": Word("{count} 天", "{count} day", en_plural="{count} days"),
        "span_hours": Word("{count} 小时", "{count} hour", en_plural="{count} hours"),
        "span_days_hours": Word("{days} {hours}", "{days} {hours}"),
        "span_under_an_hour": Word("不到一小时", "less than an hour"),
        "likely_duplicate": Word(
            "可能与 {other} 的客户 {id}（{name}）重复：{shared}；若是同一个客户，用 crm merge {this} {id} 合并",
            "may be the same customer as {id} ({name}) at {other}: {shared}; if it is, join them with "
            "crm merge {this} {id}",
        ),
        "same_name_key": Word("去掉公司形式后名称相同（{key}）", "the same name without the legal form ({key})"),
        "same_phone_key": Word("联系电话相同（{phone}）", "a contact phone in common ({phone})"),
        "shared_and": Word("{first}，{second}", "{first}, {second}"),
        "wrong_year_folder": Word("日期是 {day}，应放在 {folder}", "dated {day}, so it belongs in {folder}"),
        "after_today": Word(
            "{field} {day} 晚于今天（{today}）：年份写错了？在那天之前，这条记录不计入任何统计",
            "{field} {day} is after today ({today}): a mistyped year? Until that day the record is left out of "
            "every computation",
        ),
        # --- files and folders (crmdata.records.load) ----------------------------------------------------
        "symbolic_link": Word(
            "不跟随符号链接（链接可能指向仓库之外，把读到的内容泄露到提示里）：请提交文件本身",
            "symbolic links are not followed (a link could point outside the repository and leak what it reads "
            "into messages): commit the file itself",
        ),
        "hidden_file": Word(
            "隐藏文件不作为记录读取：请把它移出记录文件夹，或删除",
            "hidden files are not read as records: move this file out of the record folders or delete it",
        ),
        "temporary_file": Word(
            "写入被中断（crm import、new 或 log 中途被终止）留下的临时文件：请删除",
            "a temporary file left by an interrupted write (crm import, new or log killed midway): delete it",
        ),
        "other_file": Word(
            "这里只读取 <ID>.yaml 记录文件：请把这个文件移出记录文件夹，或删除",
            "only <ID>.yaml record files are read here: move this file out of the record folders or delete it",
        ),
        "wrong_suffix": Word(
            "记录文件以 .yaml 结尾：请给这个 {suffix} 文件改名", "record files end in .yaml: rename this {suffix} file"
        ),
        "folder_in_customers": Word(  # the code of a folder in any flat record folder (its name kept for scripts)
            "{folder}/ 里的文件夹会被忽略：只读取 {folder}/<ID>.yaml",
            "folders inside {folder}/ are ignored: {folder}/<ID>.yaml only",
        ),
        "hidden_folder": Word(
            "隐藏文件夹不会被读取：请把记录移出来", "hidden folders are not read: move the records out of it"
        ),
        "unreadable": Word("无法读取文件：{reason}", "cannot read the file: {reason}"),
        "no_config": Word(
            "{root} 中没有 {file}：--root 指向的是 crm 数据仓库吗？",
            "{file} not found in {root}: is --root a crm data repository?",
        ),
        "cache_committed": Word(
            "{cache} 被提交到了 git（{shown}）：它是 crm 的本地缓存，不属于数据，crm 对已提交的缓存既不读也不写；"
            "请用 `git rm -r --cached {cache}` 把它移出仓库并提交",
            "{cache} is committed to git ({shown}): it is crm's local cache, never part of the data, and crm "
            "neither reads nor writes a committed one; remove it from the repository with "
            "`git rm -r --cached {cache}` and commit",
        ),
        "and_more": Word("{shown} 等，另有 {count:,} 个", "{shown} and {count:,} more"),
        # --- reading YAML (crmdata.records.yamlread) -----------------------------------------------------
        "yaml12_number": Word(
            'YAML 1.2 工具（编辑器、schema 校验器）会把 {value} 读成数字；如果它是文本，请加引号（"{value}"）',
            'YAML 1.2 tools (editors, schema validators) read {value} as a number; quote it if it is text ("{value}")',
        ),
        "yaml11_number": Word(
            'YAML 1.1 会把 {value} 读成{form}；如果它是文本，请加引号（"{value}"），否则请用普通的十进制数字写',
            'YAML 1.1 reads {value} as {form}; quote it if it is text ("{value}"), '
            "or write the number in plain decimal digits",
        ),
        "base60_number": Word("六十进制数（{number}）", "a base-60 number ({number})"),
        "hex_number": Word("十六进制或二进制数（{number}）", "a hexadecimal or binary number ({number})"),
        "plain_number": Word("数字 {number}", "the number {number}"),
        "octal_number": Word("八进制数（{number}）", "an octal number ({number})"),
        "yaml11_boolean": Word(
            'YAML 1.1 会把 {value} 读成布尔值 {meaning}：是/否字段请写 {meaning}；如果它是文本，请加引号（"{value}"）',
            "YAML 1.1 reads {value} as the boolean {meaning}: write {meaning} for a yes/no field, "
            'or quote it if it is text ("{value}")',
        ),
        "not_iso_date": Word(
            "{value} 不是 ISO 8601 日期或时间：请写成 2024-02-20、2024-02-20 15:30 或 2024-02-20T15:30:00+08:00",
            "{value} is not an ISO 8601 date or time: write 2024-02-20, 2024-02-20 15:30 or 2024-02-20T15:30:00+08:00",
        ),
        "yaml_not_real_date": Word(
            "{value} 不是真实存在的日期（{reason}）；日期请写成 YYYY-MM-DD",
            "{value} is not a real date ({reason}); write dates as YYYY-MM-DD",
        ),
        "base60_float": Word(
            'YAML 1.1 会把 {value} 读成六十进制数；如果它是文本，请加引号（"{value}"）',
            'YAML 1.1 reads {value} as a base-60 number; quote it if it is text ("{value}")',
        ),
        "unsupported_type": Word("不支持的值类型 {tag}", "unsupported value type {tag}"),
        "syntax_error": Word("YAML 语法错误：{detail}{started}{tabs}", "YAML syntax error: {detail}{started}{tabs}"),
        "syntax_started": Word("（从第 {line} 行第 {column} 列开始）", " (it started at line {line}, column {column})"),
        "syntax_tabs": Word("；YAML 不能用制表符缩进：请用空格", "; YAML cannot indent with tabs: use spaces"),
        "invalid_yaml": Word("不是有效的 YAML", "invalid YAML"),
        "empty_file": Word(
            "文件是空的：一条记录由一行行 field: value 组成",
            "the file is empty: a record is a mapping of field: value lines",
        ),
        "top_not_mapping": Word(
            "文件顶层应是一行行 field: value，这里却是{found}",
            "expected a mapping of field: value lines at the top of the file, found {found}",
        ),
        "second_document": Word(
            "一个记录文件只能有一个 YAML 文档：请删除第二个文档（---）",
            "a record file holds exactly one YAML document; remove this second document (---)",
        ),
        "alias": Word(
            "记录里不能用别名（*{anchor}）：请把值完整写出",
            "aliases (*{anchor}) are not allowed in records: write the value out in full",
        ),
        "anchor": Word(
            "记录里不能用锚点（&{anchor}）：请把每个值完整写出",
            "anchors (&{anchor}) are not allowed in records: write each value out in full",
        ),
        "explicit_tag": Word(
            "记录里不能用显式标签（{tag}）：请删除标签",
            "explicit tags ({tag}) are not allowed in records: remove the tag",
        ),
        "too_deep": Word(
            "嵌套超过 {depth} 层：记录最多只有几层",
            "nesting deeper than {depth} levels: records are at most a few levels deep",
        ),
        "key_not_scalar": Word(
            "键必须是普通文本：列表或映射不能作键", "keys must be plain text: a list or mapping cannot be a key"
        ),
        "merge_key": Word(
            "记录里不能用合并键（<<）：请把每个字段写出",
            "merge keys (<<) are not allowed in records: write each field out",
        ),
        "key_not_text": Word(
            '键必须是文本，但 YAML 1.1 会把键 {key} 读成{kind}：请加引号（"{key}"）',
            'keys must be text, but YAML 1.1 reads the key {key} as {kind}: quote it ("{key}")',
        ),
        "duplicate_key": Word(
            "重复的键 {key}（第 {line} 行已经写过）：YAML 会悄悄只保留最后一个；请删掉其中一个",
            "duplicate key {key} (first given at line {line}): YAML would silently keep only the last one; "
            "remove one of them",
        ),
        "no_value": Word("没有值：请填上，或删掉这一行", "has no value: give one, or remove the line"),
        "too_big": Word(
            "文件有 {size:,} 字节，超过单条记录 {limit:,} 字节的上限（确有需要时可用 --max-file-size 调高）",
            "file is {size:,} bytes, over the {limit:,}-byte limit for one record "
            "(raise it with --max-file-size if this is intended)",
        ),
        "utf16": Word("文件是 UTF-16 编码；请另存为 UTF-8", "file is UTF-16 encoded; save it as UTF-8"),
        "not_utf8": Word(
            "文件不是 UTF-8 文本{hint}：字节 0x{byte} 无法解码；请另存为 UTF-8",
            "file is not UTF-8 text{hint}: byte 0x{byte} cannot be decoded; save it as UTF-8",
        ),
        "looks_gbk": Word("（看起来是 GBK/GB18030）", " (it looks like GBK/GB18030)"),
        # --- what a value was found to be (parts of other sentences) ---------------------------------------
        "found_empty": Word("空值", "an empty value"),
        "found_boolean": Word("布尔值 {value}", "the boolean {value}"),
        "found_number": Word("数字 {value}", "the number {value}"),
        "found_date_time": Word("日期时间", "a date and time"),
        "found_date": Word("日期", "a date"),
        "found_list": Word("列表", "a list"),
        "found_mapping": Word("映射", "a mapping"),
        "found_text": Word("文本 {value}", "the text {value}"),
        "found_a_number": Word("数字", "a number"),
        "found_a_boolean": Word("布尔值", "a boolean"),
        "found_null": Word("空值（null）", "null"),
        "found_single_value": Word("单个值", "a single value"),
        # --- fields of a record (crmdata.records.record_check, crmdata.records.models) ----------------------
        "id_rule": Word(
            "1 到 64 个 ASCII 字母、数字、“-”或“_”，以字母或数字开头",
            "1 to 64 ASCII letters, digits, '-' or '_', starting with a letter or digit",
        ),
        "invalid_key": Word("{key} 不是有效的键：请用{rule}", "{key} is not a valid key: use {rule}"),
        "invalid_id": Word("{value} 不是有效的编号：请用{rule}", "{value} is not a valid id: use {rule}"),
        "missing": Word("缺少必填字段 {field}", "required field {field} is missing"),
        "unknown_field": Word("未知字段 {key}{odd}{hint}{allowed}", "unknown field {key}{odd}{hint}{allowed}"),
        "odd_key": Word("（它{what}）", " (it {what})"),
        "did_you_mean": Word("（是不是想写 {choice}？）", " (did you mean {choice}?)"),
        "contact_field": Word(
            "（它属于联系人：contacts: [{{name: ..., {key}: ...}}]）",
            " (it belongs to a contact: contacts: [{{name: ..., {key}: ...}}])",
        ),
        "allowed_fields": Word("；可用的字段：{fields}", "; allowed: {fields}"),
        "not_text_found": Word("应为文本，这里是{found}", "expected text, found {found}"),
        "not_text_quote": Word(
            'YAML 会把 {written} 读成{kind}，而这里要的是文本：请加引号（"{written}"）',
            'expected text, but YAML reads {written} as {kind}: quote it ("{written}")',
        ),
        "not_one_of": Word("{value} 不是可选的值：{choices}{hint}", "{value} is not one of: {choices}{hint}"),
        "must_not_be_empty": Word("不能为空", "must not be empty"),
        "not_web_address": Word(
            "{value} 不是网址：请写成以 “/” 结尾的 http(s)://…",
            "{value} is not a web address: use http(s)://… ending in '/'",
        ),
        "not_key_salt": Word(
            "{value} 不是 16 个以上随机字节的 base64 或十六进制写法：请换成新生成的值，例如 {example}",
            "{value} is not 16 or more random bytes in base64 or hex: use a freshly drawn value, e.g. {example}",
        ),
        "lone_surrogate": Word(
            "含有半个字符（像 \\ud800 这样落单的代理项）：不是文本",
            "contains half of a character (a lone surrogate such as \\ud800): not text",
        ),
        "empty_list": Word("不能为空：至少写一项", "must not be empty: give at least one entry"),
        "not_whole_number": Word("应为整数，这里是{found}", "expected a whole number, found {found}"),
        "not_boolean": Word("应为 true 或 false，这里是{found}", "expected true or false, found {found}"),
        "not_list": Word(
            "应为列表（每行一个“- 项”），这里是{found}", "expected a list (one '- item' per line), found {found}"
        ),
        "not_mapping": Word(
            "应为一行行 field: value，这里是{found}", "expected a mapping of field: value lines, found {found}"
        ),
        "at_least": Word("至少应为 {limit}，这里是 {value}", "must be at least {limit}, found {value}"),
        "at_most": Word("最多为 {limit}，这里是 {value}", "must be at most {limit}, found {value}"),
        "invalid_value": Word("值不对：{detail}", "{detail}"),
        "reserved_word": Word(
            "{value} 是保留字（index、search、assets、404、sitemap，以及 Windows 无法检出的名字，如 con、nul、com1）："
            "请换一个",
            "{value} is a reserved word (index, search, assets, 404, sitemap, and names Windows cannot check out "
            "such as con, nul, com1): choose another",
        ),
        "char_control": Word(
            "含有控制字符 {where}：文本里不能有控制字符",
            "contains the control character {where}: control characters are not allowed in text",
        ),
        "char_bidi": Word(
            "含有双向排版字符 {where}：它让文本显示的顺序与存储的顺序不同，所以文本里不允许有（从手机复制的电话号码"
            "常带有 U+202A 和 U+202C：请删掉）",
            "contains the bidirectional formatting character {where}: it makes text display in another order "
            "than it is stored, so it is not allowed in text (a phone number copied from a phone often carries "
            "U+202A and U+202C: delete them)",
        ),
        "char_control_short": Word("含有控制字符 {where}", "contains the control character {where}"),
        "char_bidi_short": Word("含有双向排版字符 {where}", "contains the bidirectional formatting character {where}"),
        "char_at": Word("{character}（第 {position} 个字符）", "{character} at position {position}"),
        "not_real_date": Word("{value} 不是真实存在的日期（{reason}）", "{value} is not a real date ({reason})"),
        "not_real_datetime": Word(
            "{value} 不是真实存在的日期时间（{reason}）", "{value} is not a real date and time ({reason})"
        ),
        "date_not_datetime": Word(
            "应为日期（YYYY-MM-DD），不是日期时间", "expected a date (YYYY-MM-DD), not a date and time"
        ),
        "not_date": Word("应为日期，写成 YYYY-MM-DD", "expected a date written as YYYY-MM-DD"),
        "not_datetime": Word(
            "应为日期时间，如 2024-02-20 15:30 或 2024-02-20T15:30:00+08:00",
            "expected a date and time such as 2024-02-20 15:30 or 2024-02-20T15:30:00+08:00",
        ),
        "not_date_or_datetime": Word(
            "应为日期（2024-02-20）或日期时间（2024-02-20 15:30）",
            "expected a date (2024-02-20) or a date and time (2024-02-20 15:30)",
        ),
        "not_amount": Word(
            "应为数字（如 120000 或 9800.5），这里是{found}",
            "expected a number (such as 120000 or 9800.5), found {found}",
        ),
        "negative_amount": Word("金额不能是负数，这里是 {value}", "an amount cannot be negative, found {value}"),
        "not_currency": Word(
            "{value} 不是币种代码：请写 ISO 4217 的三个大写字母，如 CNY、USD、EUR",
            "{value} is not a currency code: write ISO 4217's three capital letters, such as CNY, USD, EUR",
        ),
        # --- rules of one record (crmdata.records.models) ------------------------------------------------
        "segment_name_computed": Word(
            "{name} 是系统计算的分群的名称；请换一个名称",
            "{name} is the name of a computed segment; choose another name",
        ),
        "notify_literal_secret": Word(
            "`notify` 里不能写 `{key}`：机器人地址和密钥会被每个能读仓库的人看到。请把它放进环境变量（CI 的密钥设置），"
            "这里只写变量名：`url_env: CRM_WECOM_URL`、`secret_env: CRM_DINGTALK_SECRET`",
            "`{key}` is not allowed in `notify`: everyone who can read the repository would see the robot's address "
            "or secret. Put it in an environment variable (the CI's secret store) and name the variable here: "
            "`url_env: CRM_WECOM_URL`, `secret_env: CRM_DINGTALK_SECRET`",
        ),
        "notify_not_env_name": Word(
            "`{field}` 只写环境变量名（字母、数字和 _，例如 CRM_WECOM_URL），不写地址或密钥本身：{value}",
            "`{field}` names an environment variable (letters, digits and _, e.g. CRM_WECOM_URL), never the address "
            "or secret itself: {value}",
        ),
        "notify_secret_unused": Word(
            "{kind} 渠道不用签名密钥：删去 `secret_env`（只有 dingtalk 和 feishu 签名）",
            "a {kind} channel signs nothing: remove `secret_env` (only dingtalk and feishu sign their requests)",
        ),
        "notify_email_sender": Word(
            "email 渠道需要发件人：`sender: crm@example.com`",
            "an email channel needs a sender: `sender: crm@example.com`",
        ),
        "notify_sender_unused": Word(
            "`sender` 只用于 email 渠道，{kind} 渠道请删去",
            "`sender` is for email channels only: remove it from the {kind} channel",
        ),
        "segment_owner_not_on_team": Word(
            "分群 {name}：负责人 {owner} 不是团队成员", "segment {name}: owner {owner} is not on the team"
        ),
        "churned_needs_date": Word(
            "stage 是 churned，所以必须填写 churned_on（失去这个客户的日期）",
            "stage is churned, so churned_on (the day the customer was lost) is required",
        ),
        "since_required": Word(
            "除非 stage 是 prospecting，否则必须填写 since（开始往来的日期）",
            "since (start of the relationship) is required unless stage is prospecting",
        ),
        "churned_before_since": Word("churned_on 早于 since", "churned_on is before since"),
        "followup_before_date": Word(
            "next_followup {next} 早于这次沟通的日期 {day}",
            "next_followup {next} is before the conversation's date {day}",
        ),
        "resolved_not_complaint": Word(
            "resolved 只用于投诉（kind: complaint），这一条的 kind 是 {kind}",
            "resolved is only for complaints (kind: complaint), this is kind {kind}",
        ),
        "resolved_before_date": Word(
            "resolved {resolved} 早于投诉的日期 {day}", "resolved {resolved} is before the complaint's date {day}"
        ),
        "postponed_before_date": Word(
            "顺延日期 postponed_to {postponed} 早于执行时间 date {day}",
            "postponed_to {postponed} is before the plan's date {day}",
        ),
        "expected_close_required": Word(
            "stage 是 {stage}（商机未关闭），必须填写 expected_close（预计成交日期）",
            "stage is {stage} (still open), so expected_close (the expected closing day) is required",
        ),
        "closed_on_required": Word(
            "stage 是 {stage}，必须填写 closed_on（赢单或输单的日期）",
            "stage is {stage}, so closed_on (the day it was won or lost) is required",
        ),
        "end_before_start": Word("合作结束 end {end} 早于合作起始 start {start}", "end {end} is before start {start}"),
        "terminated_before_start": Word(
            "提前终止日期 terminated_on {terminated} 早于合作起始 start {start}",
            "terminated_on {terminated} is before start {start}",
        ),
    },
)


def said_error(kind: str, said: Message, /, **context: object) -> PydanticCustomError:
    """A pydantic error that carries its catalogue sentence (`ctx["said"]`), for the models' validators.

    pydantic's own message is the English wording (what `ValidationError` prints to a programmer);
    `crmdata.records.record_check.translate` turns the error into a Problem that keeps `said`, so the
    reader gets it in crm.yaml's language.
    """
    return PydanticCustomError(kind, said.text("en"), {**context, "said": said})

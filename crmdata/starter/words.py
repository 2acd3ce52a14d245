"""What `crm init` says and writes in words: the comments of crm.yaml, the team README's host-specific
lines, the prompt and the next steps, in zh and en (a Catalogue: tests check both languages)."""

from __future__ import annotations

from crmdata.records.vocabulary import STAGES, Catalogue, Word


def _stage(stage: str, zh_note: str = "", en_note: str = "") -> Word:
    """A stage's comment: its word from the vocabulary, then what its interval means."""
    word = STAGES.words[stage]
    return Word(word.zh + zh_note, word.en + en_note)


SETTING_COMMENTS = Catalogue(
    "starter_settings",
    {
        "header": Word(
            "crm.yaml：团队、跟进策略和站点设置。每项都是默认值，可以按团队的做法修改；crm validate 会检查本文件。",
            "crm.yaml: the team, the follow-up policy and the site. Every value is the default; change it to your "
            "team's practice. crm validate checks this file.",
        ),
        "team": Word(
            "团队：键是负责人编号（记录里 owner 写它），name 是显示的姓名；可加 email",
            "team: the key is the owner id records use (owner), name is shown on the site; email is optional",
        ),
        "language": Word(
            "语言：zh 或 en，终端、站点、表格和 crm diff 都用这种语言",
            "language: zh or en, for the terminal, the site, the sheets and crm diff",
        ),
        "policy": Word("跟进策略：crm due 和站点按它排出跟进计划", "follow-up policy: crm due and the site plan by it"),
        "policy.first_contact_days": Word(
            "新客户首次跟进：合作起始日期（since）后 N 天内", "a new customer's first follow-up: within N days of since"
        ),
        "policy.new_customer_days": Word(
            "新客户期：since 之后 N 天内算新客户", "a customer counts as new for N days after since"
        ),
        "policy.new_cadence_days": Word(
            "新客户期内至少每 N 天联系一次", "while new, a customer is contacted at least every N days"
        ),
        "policy.cadence_days": Word(
            f"各阶段的跟进间隔（天）；{STAGES.words['churned'].zh}的客户不再排期",
            f"days between contacts per stage; {STAGES.words['churned'].en.lower()} customers are not scheduled",
        ),
        "policy.cadence_days.prospecting": _stage("prospecting"),
        "policy.cadence_days.active": _stage("active"),
        "policy.cadence_days.stable": _stage("stable", "：至少每季度一次", ": at least quarterly"),
        "policy.cadence_days.dormant": _stage("dormant", "：重新激活的间隔", ": days between re-activation attempts"),
        "policy.high_value_cadence_days": Word(
            "高价值客户（value: high）至少每 N 天联系一次：每月两次", "high value customers: at least every N days"
        ),
        "policy.silent_after_days": Word(
            "N 天没有联系即为沉默客户，需要重新激活", "no contact for N days makes a customer silent: re-activate"
        ),
        "policy.record_within_hours": Word("沟通后 N 小时内写好记录", "log a conversation within N hours of it"),
        "policy.due_soon_days": Word("N 天内到期的跟进算即将到期", "a follow-up due within N days is due soon"),
        "policy.renewal_notice_days": Word(
            "合同到期（end）前 N 天跟进续约；单个合同可用 renewal_notice_days 另定",
            "follow a contract's renewal up N days before its end; a contract may set its own renewal_notice_days",
        ),
        "currency": Word(
            "币种：金额没有写 currency 时的币种（ISO 4217 代码，如 CNY、USD）",
            "currency of amounts that give none (an ISO 4217 code such as CNY, USD)",
        ),
        "site": Word("站点：crm build 生成的看板", "the site crm build writes"),
        "site.title": Word("站点标题", "the site's title"),
        "site.redact": Word(
            "隐私遮蔽：站点上隐藏电话、邮箱、地址和生日（true 推荐）",
            "hide phone, email, address and birthday on the site (true recommended)",
        ),
        "site.encrypt": Word(
            "加密站点：true 时 crm build 总是加密（口令取自环境变量 CRM_SITE_PASSWORD）；CI 文件已用 --encrypt",
            "encrypt the site: with true, crm build always encrypts (the passphrase from the environment "
            "variable CRM_SITE_PASSWORD); the CI file builds with --encrypt already",
        ),
        "site.key_salt": Word(
            "站点密钥盐：本仓库自己的随机值，每次构建都相同，勾选“在此设备上记住”的读者在站点重新构建后不必再输入口令；"
            "它不是机密，改掉它会让所有设备重新输入口令",
            "site key salt: this repository's own random value, the same at every build, so a reader who ticked "
            "'remember on this device' is not asked again after a rebuild; not a secret; changing it asks every "
            "device again",
        ),
        "site.edit_url": Word(
            "编辑链接：记录文件在哪里编辑，例如 https://github.com/acme/crm/edit/main/，客户页会链接到它的 YAML 文件",
            "where record files are edited, e.g. https://github.com/acme/crm/edit/main/: each customer page "
            "links to its YAML file there",
        ),
    },
)
"""The comment above each setting of the crm.yaml `crm init` writes, by its dotted path. A setting
without one here (added to the model later) is commented with its field description instead."""

INIT_WORDS = Catalogue(
    "starter_init",
    {
        "team_prompt": Word(
            "团队成员（负责人编号=姓名，例如 ming=张明；空行结束）",
            "Team member (owner-id=name, e.g. ming=Zhang Ming; empty line to finish)",
        ),
        "team_missing": Word(
            "请用 --team KEY=NAME 给出团队成员（可重复）：这里没有终端可以询问",
            "give the team with --team KEY=NAME (repeatable): there is no terminal to ask on",
        ),
        "team_needs_one": Word("至少需要一位团队成员", "the team needs at least one member"),
        "not_key_name": Word(
            "{value} 不是 KEY=NAME 的形式（例如 ming=张明）", "{value} is not KEY=NAME (e.g. ming=Zhang Ming)"
        ),
        "bad_key": Word(
            "{key} 不能做负责人编号：只用字母、数字、_ 和 -，以字母或数字开头",
            "{key} cannot be an owner id: letters, digits, _ and - only, starting with a letter or digit",
        ),
        "bad_name": Word("{key} 的姓名不能为空", "the name of {key} is empty"),
        "twice": Word("{key} 出现了两次", "{key} is given twice"),
        "is_a_file": Word(
            "{path} 是一个文件，不是文件夹：请换一个路径", "{path} is a file, not a folder: choose another path"
        ),
        "exists": Word(
            "{path} 里已有这些文件，crm init 从不覆盖文件，什么都没有写：{files}",
            "{path} already has these files; crm init never overwrites a file, so nothing was written: {files}",
        ),
        "git_init": Word("已创建 git 仓库（主分支 main）：{path}", "created a git repository (branch main) in {path}"),
        "git_inside": Word(
            "{path} 已在 git 仓库 {top} 中：不再另建仓库", "{path} is inside the git repository {top}: no new one"
        ),
        "next_heading": Word("接下来：", "Next:"),
        "next_first_customer": Word(
            "1. 添加第一位客户：cd {path} && crm new customer",
            "1. add the first customer: cd {path} && crm new customer",
        ),
        "next_commit": Word(
            "2. 提交并推送：git add . && git commit -m 开始使用客户关系管理 && git push",
            "2. commit and push: git add . && git commit -m 'Start our CRM' && git push",
        ),
        "next_github": Word(
            "3. 在 GitHub 仓库设置里：Secrets and variables → Actions 添加 CRM_SITE_PASSWORD（看板的口令），"
            "Pages 的来源选 GitHub Actions",
            "3. in the GitHub repository's settings: add the secret CRM_SITE_PASSWORD (the site's passphrase) "
            "under Secrets and variables → Actions, and set Pages → Source to GitHub Actions",
        ),
        "next_gitlab": Word(
            "3. 在 GitLab 项目设置里：CI/CD → Variables 添加 CRM_SITE_PASSWORD（看板的口令，勾选 Mask），"
            "CI/CD → Schedules 新建每天早上的计划",
            "3. in the GitLab project's settings: add CRM_SITE_PASSWORD (the site's passphrase, masked) under "
            "CI/CD → Variables, and a daily schedule under CI/CD → Schedules",
        ),
        "next_none": Word(
            "3. 生成看板：crm build，然后用浏览器打开 site/index.html（或 crm serve）",
            "3. build the site: crm build, then open site/index.html in a browser (or crm serve)",
        ),
        "review_github": Word("拉取请求（pull request）", "pull request"),
        "review_gitlab": Word("合并请求（merge request）", "merge request"),
        "review_none": Word("合并请求", "merge request"),
        "review_text_github": Word(
            "每个拉取请求都会自动运行 crm validate 和 crm diff：在 Checks 页的摘要里",
            "Every pull request runs crm validate and crm diff automatically: the summary on its Checks tab",
        ),
        "review_text_gitlab": Word(
            "每个合并请求都会自动运行 crm validate 和 crm diff：合并请求页上的 crm diff 附件",
            "Every merge request runs crm validate and crm diff automatically: the “crm diff” artifact on "
            "the merge request",
        ),
        "review_text_none": Word(
            "在本地运行 crm validate 和 crm diff main...分支名",
            "Running crm validate and crm diff main...BRANCH locally",
        ),
        "site_github": Word(
            "每次合并到 main 以及每天早上，GitHub Actions 都会生成加密的看板并发布到 GitHub Pages"
            "（仓库的 Settings → Pages 显示网址）。打开时输入口令 CRM_SITE_PASSWORD；不知道口令请问管理员。",
            "On every merge to main and every morning, GitHub Actions builds the encrypted site and publishes "
            "it with GitHub Pages (Settings → Pages shows the address). It asks for the passphrase "
            "(CRM_SITE_PASSWORD); ask whoever administers the repository.",
        ),
        "site_gitlab": Word(
            "每次合并到默认分支以及每天早上的计划任务，GitLab CI 都会生成加密的看板并发布到 GitLab Pages"
            "（Deploy → Pages 显示网址）。打开时输入口令 CRM_SITE_PASSWORD；不知道口令请问管理员。",
            "On every merge to the default branch and every scheduled pipeline, GitLab CI builds the encrypted "
            "site and publishes it with GitLab Pages (Deploy → Pages shows the address). It asks for the "
            "passphrase (CRM_SITE_PASSWORD); ask whoever administers the project.",
        ),
        "site_none": Word(
            "在本地生成：crm build 写到 site/（用浏览器打开 site/index.html），或 crm serve 边改边看。",
            "Build it yourself: crm build writes it to site/ (open site/index.html), or crm serve while you edit.",
        ),
    },
)
"""`crm init`'s prompt, errors, next steps and the host-specific lines of the team README."""

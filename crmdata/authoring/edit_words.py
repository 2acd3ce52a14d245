"""What `crm done`, `crm resolve`, `crm stage` and `crm merge` say, in Chinese and in English.

The record's own problems after an edit are the records' sentences (RECORD_PROBLEMS, shown as `crm
validate` shows them); here are the edits' own: what was changed, and why nothing was.
"""

from __future__ import annotations

from crmdata.records.vocabulary import Catalogue, Word

EDIT_WORDS = Catalogue(
    "edit_words",
    {
        # --- the round-trip core (crmdata.authoring.edits) -------------------------------------------
        "record_is_link": Word(
            "{file} 是符号链接：crm 不会通过链接修改记录，请把它换成记录文件本身；未做任何修改",
            "{file} is a symbolic link: crm never edits a record through a link; replace it with the file itself. "
            "Nothing was changed",
        ),
        "path_not_real": Word(
            "{file} 的路径中有符号链接或不是文件夹的部分：crm 不会经由它修改记录；未做任何修改",
            "the path of {file} goes through a symbolic link or a file: crm never edits a record through it. "
            "Nothing was changed",
        ),
        "not_a_file": Word("{file} 不是普通文件；未做任何修改", "{file} is not a regular file. Nothing was changed"),
        "unreadable": Word("无法读取 {file}：{reason}", "{file} cannot be read: {reason}"),
        "record_has_errors": Word(
            "{file} 有错误（见上），请先修正；未做任何修改",
            "{file} has errors (above): fix them first. Nothing was changed",
        ),
        "would_not_validate": Word(
            "修改后 {file} 将无法通过校验（见上），因此未写入任何文件",
            "after the change {file} would not validate (above), so nothing was written",
        ),
        "cannot_round_trip": Word(
            "{file} 无法在保留原有格式的前提下修改：{reason}；未做任何修改",
            "{file} cannot be changed keeping its layout: {reason}. Nothing was changed",
        ),
        "not_a_mapping": Word("文件内容不是“键: 值”形式的记录", "the file is not a record of `key: value` lines"),
        "changed_meanwhile": Word(
            "{file} 在修改期间被改动过；未写入任何文件，请重试",
            "{file} changed while crm was editing it; nothing was written, try again",
        ),
        "not_written": Word(
            "未能写入 {file}：{reason}；所有文件保持原样",
            "{file} could not be written: {reason}; every file is as it was",
        ),
        # --- crm done -----------------------------------------------------------------------------------
        "no_interaction": Word(
            "没有编号为 {id} 的沟通记录（已在 interactions/ 下查找）",
            "no interaction has the id {id} (looked in interactions/)",
        ),
        "no_todos": Word("{id} 没有待办事项", "{id} has no todos"),
        "no_open_todo": Word("{id} 的待办都已完成", "every todo of {id} is done"),
        "several_open": Word(
            "{id} 有 {count} 项未完成的待办，请给出编号 N，例如 `crm done {id} {first}`：",
            "{id} has {count} open todos: give the number N, e.g. `crm done {id} {first}`:",
        ),
        "todo_line": Word("  {number}. {task}（截止 {due}）", "  {number}. {task} (due {due})"),
        "todo_out_of_range": Word(
            "{id} 有 {count} 项待办，没有第 {number} 项",
            "{id} has {count} todo(s): there is no todo {number}",
        ),
        "todo_already_done": Word(
            "{id} 的第 {number} 项待办（{task}）已于 {done} 完成；未做任何修改",
            "todo {number} of {id} ({task}) was done on {done} already. Nothing was changed",
        ),
        "todo_done": Word(
            "已完成：{id} 第 {number} 项待办（{task}），完成日期 {day}（{file}）",
            "Done: todo {number} of {id} ({task}) on {day} ({file})",
        ),
        # --- crm resolve ----------------------------------------------------------------------------------
        "not_complaint": Word(
            "{id} 不是投诉（kind: {kind}），只有投诉可以标记为已解决；未做任何修改",
            "{id} is not a complaint (kind: {kind}): only complaints are resolved. Nothing was changed",
        ),
        "already_resolved": Word(
            "{id} 的投诉已于 {day} 解决；未做任何修改",
            "the complaint {id} was resolved on {day} already. Nothing was changed",
        ),
        "resolved": Word(
            "已解决：投诉 {id}，解决日期 {day}（{file}）",
            "Resolved: the complaint {id} on {day} ({file})",
        ),
        # --- crm stage ------------------------------------------------------------------------------------
        "unknown_stage": Word(
            "{value} 不是客户阶段；可选：{choices}", "{value} is not a stage; choose one of: {choices}"
        ),
        "same_stage": Word(
            "{id} 已处于“{stage}”阶段；未做任何修改",
            "{id} is at stage {stage} already. Nothing was changed",
        ),
        "reason_required": Word(
            "标记为流失需要写明原因：请加上 --reason 原因",
            "marking a customer churned needs the reason: add --reason TEXT",
        ),
        "reason_prompt": Word("流失原因", "Churn reason"),
        "stage_moved": Word(
            "{id}：阶段 {old} → {new}（{file}）",
            "{id}: stage {old} → {new} ({file})",
        ),
        "since_set": Word(
            "合作起始日期 since 原为空，已设为 {day}",
            "since (start of the relationship) was empty: set to {day}",
        ),
        "churn_set": Word("流失日期 {day}，流失原因：{reason}", "churned on {day}, reason: {reason}"),
        # --- crm merge ------------------------------------------------------------------------------------
        "merge_itself": Word("不能把客户合并到其自身：{id}", "a customer cannot be merged into itself: {id}"),
        "merge_invalid": Word(
            "合并后的数据将无法通过校验（见上），因此未写入任何文件",
            "the merged records would not validate (above), so nothing was written",
        ),
        "would_change": Word("将修改 {file}", "would change {file}"),
        "would_remove": Word("将删除 {file}", "would remove {file}"),
        "dry_run": Word("（试运行：未写入任何文件）", "(dry run: nothing was written)"),
        "merged": Word(
            "已将 {duplicate} 合并到 {into}：修改了 {count} 个文件，删除了 {file}",
            "Merged {duplicate} into {into}: {count} file(s) changed, {file} removed",
        ),
        "kept_fields": Word(
            "{into} 从 {duplicate} 补充了：{fields}",
            "{into} gained from {duplicate}: {fields}",
        ),
        "dropped_self_referral": Word(
            "{into} 原由 {duplicate} 转介绍，合并后将指向自身，因此删除了 referred_by",
            "{into} was referred by {duplicate}, which would refer it to itself after the merge: referred_by removed",
        ),
    },
)

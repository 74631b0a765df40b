"""Telegram's strictness, one rule per test, over real HTTP (httpx) against the emulator."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bot.sandbox.client import Sandbox

from .conftest import ApiCall
from .helpers import article, keyboard, png_bytes


def bad(body: dict[str, Any], description: str) -> bool:
    return body == {"ok": False, "error_code": 400, "description": description}


# -- transport -----------------------------------------------------------------------------


async def test_wrong_token_is_unauthorized(api: ApiCall) -> None:
    status, body = await api("getMe", _token="999:WRONG")
    assert status == 401
    assert body == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_unknown_method_is_not_found(api: ApiCall) -> None:
    status, body = await api("sendTelepathy", chat_id=1)
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_method_names_are_case_insensitive_and_get_works(sandbox: Sandbox) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{sandbox.url}/bot{sandbox.token}/GETME")
    body = response.json()
    assert body["ok"] is True
    assert body["result"]["username"] == sandbox.bot_username
    assert body["result"]["is_bot"] is True


async def test_form_encoding_with_json_encoded_objects(sandbox: Sandbox, api: ApiCall) -> None:
    alice = sandbox.user()
    status, body = await api(
        "sendMessage",
        _form=True,
        chat_id=alice.id,
        text="<b>hi</b>",
        parse_mode="HTML",
        reply_markup=keyboard(1, 1),
    )
    assert status == 200
    result = body["result"]
    assert result["text"] == "hi"
    assert result["entities"] == [{"type": "bold", "offset": 0, "length": 2}]
    assert result["reply_markup"] == keyboard(1, 1)
    assert result["from"]["id"] == sandbox.bot_id
    assert isinstance(result["date"], int)


# -- text ----------------------------------------------------------------------------------


async def test_empty_and_blank_text(sandbox: Sandbox, api: ApiCall) -> None:
    alice = sandbox.user()
    for text in ("", "  \n ", "<b> </b>"):
        status, body = await api("sendMessage", chat_id=alice.id, text=text, parse_mode="HTML")
        assert status == 400
        assert bad(body, "Bad Request: message text is empty")


async def test_missing_chat_and_unknown_chat(api: ApiCall) -> None:
    status, body = await api("sendMessage", text="hi")
    assert (status, body["description"]) == (400, "Bad Request: chat_id is empty")
    status, body = await api("sendMessage", chat_id=424242, text="hi")
    assert bad(body, "Bad Request: chat not found")
    status, body = await api("sendMessage", chat_id="@nobody", text="hi")
    assert bad(body, "Bad Request: chat not found")


async def test_length_is_counted_after_parsing_in_utf16(sandbox: Sandbox, api: ApiCall) -> None:
    alice = sandbox.user()
    ok_cases = ["x" * 4096, f"<b>{'x' * 4096}</b>", "😀" * 2048, "&lt;" * 4096]
    for text in ok_cases:
        status, body = await api("sendMessage", chat_id=alice.id, text=text, parse_mode="HTML")
        assert status == 200, body
    for text in ["x" * 4097, "😀" * 2049]:
        status, body = await api("sendMessage", chat_id=alice.id, text=text)
        assert bad(body, "Bad Request: message is too long")


async def test_caption_limit(sandbox: Sandbox) -> None:
    alice = sandbox.user()
    async with httpx.AsyncClient() as client:
        url = f"{sandbox.url}/bot{sandbox.token}/sendDocument"
        files = {"document": ("plan.txt", b"content", "text/plain")}
        response = await client.post(
            url, data={"chat_id": str(alice.id), "caption": "c" * 1025}, files=files
        )
        assert bad(response.json(), "Bad Request: message caption is too long")
        response = await client.post(
            url, data={"chat_id": str(alice.id), "caption": "c" * 1024}, files=files
        )
        assert response.json()["ok"] is True


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("<div>hi</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("<b>hi", "Can't find end tag corresponding to start tag b"),
        ("2 < 3", 'Unsupported start tag "" at byte offset 2'),
        ("Tom & Jerry", 'Unescaped "&" at byte offset 4 (sandbox strict mode; use "&amp;")'),
        ("<i>x</b>", 'Unmatched end tag at byte offset 4, expected "</i>", found "</b>"'),
    ],
)
async def test_bad_html_is_rejected(sandbox: Sandbox, api: ApiCall, text: str, detail: str) -> None:
    alice = sandbox.user()
    status, body = await api("sendMessage", chat_id=alice.id, text=text, parse_mode="HTML")
    assert status == 400
    assert bad(body, f"Bad Request: can't parse entities: {detail}")


async def test_valid_html_with_entities_and_nesting(sandbox: Sandbox, api: ApiCall) -> None:
    alice = sandbox.user()
    text = '<b>Red <i>Seal</i></b> &amp; <a href="https://www.red-seal.ca/">trades</a> /start'
    status, body = await api("sendMessage", chat_id=alice.id, text=text, parse_mode="html")
    assert status == 200
    result = body["result"]
    assert result["text"] == "Red Seal & trades /start"
    assert result["entities"] == [
        {"type": "bold", "offset": 0, "length": 8},
        {"type": "italic", "offset": 4, "length": 4},
        {"type": "text_link", "offset": 11, "length": 6, "url": "https://www.red-seal.ca/"},
        {"type": "bot_command", "offset": 18, "length": 6},
    ]


async def test_plain_text_keeps_given_entities_only(sandbox: Sandbox, api: ApiCall) -> None:
    alice = sandbox.user()
    status, body = await api(
        "sendMessage",
        chat_id=alice.id,
        text="<b>not html</b>",
        entities=[{"type": "italic", "offset": 0, "length": 3}],
    )
    assert status == 200
    assert body["result"]["text"] == "<b>not html</b>"
    assert body["result"]["entities"] == [{"type": "italic", "offset": 0, "length": 3}]


async def test_markdown_is_not_supported_by_the_sandbox(sandbox: Sandbox, api: ApiCall) -> None:
    alice = sandbox.user()
    status, body = await api("sendMessage", chat_id=alice.id, text="*x*", parse_mode="MarkdownV2")
    assert status == 400
    assert "unsupported parse_mode" in body["description"]


# -- keyboards -----------------------------------------------------------------------------


async def test_callback_data_limit_is_64_bytes(sandbox: Sandbox, api: ApiCall) -> None:
    alice = sandbox.user()
    ok_markup = {"inline_keyboard": [[{"text": "ok", "callback_data": "é" * 32}]]}
    status, _ = await api("sendMessage", chat_id=alice.id, text="t", reply_markup=ok_markup)
    assert status == 200
    too_long = {"inline_keyboard": [[{"text": "no", "callback_data": "x" * 65}]]}
    status, body = await api("sendMessage", chat_id=alice.id, text="t", reply_markup=too_long)
    assert bad(body, "Bad Request: BUTTON_DATA_INVALID")


async def test_button_count_limits(sandbox: Sandbox, api: ApiCall) -> None:
    alice = sandbox.user()
    status, _ = await api("sendMessage", chat_id=alice.id, text="t", reply_markup=keyboard(25, 4))
    assert status == 200
    markup = keyboard(25, 4)
    markup["inline_keyboard"].append([{"text": "101st", "callback_data": "x"}])
    status, body = await api("sendMessage", chat_id=alice.id, text="t", reply_markup=markup)
    assert bad(body, "Bad Request: reply markup is too long")
    status, body = await api("sendMessage", chat_id=alice.id, text="t", reply_markup=keyboard(1, 9))
    assert bad(body, "Bad Request: reply markup is too long")


@pytest.mark.parametrize(
    ("button", "description"),
    [
        (
            {"text": "x"},
            "Bad Request: can't parse inline keyboard button: "
            "Text buttons are unallowed in the inline keyboard",
        ),
        ({"text": "x", "url": "ftp://example.org"}, "Bad Request: BUTTON_URL_INVALID"),
        ({"text": "x", "url": "example.org"}, "Bad Request: BUTTON_URL_INVALID"),
        ({"text": "", "callback_data": "x"}, "Bad Request: BUTTON_TEXT_INVALID"),
        (
            {"callback_data": "x"},
            "Bad Request: can't parse inline keyboard button: Can't find field \"text\"",
        ),
    ],
)
async def test_invalid_buttons(
    sandbox: Sandbox, api: ApiCall, button: dict[str, Any], description: str
) -> None:
    alice = sandbox.user()
    markup = {"inline_keyboard": [[button]]}
    _status, body = await api("sendMessage", chat_id=alice.id, text="t", reply_markup=markup)
    assert bad(body, description)


async def test_button_with_two_actions_is_rejected(sandbox: Sandbox, api: ApiCall) -> None:
    alice = sandbox.user()
    markup = {"inline_keyboard": [[{"text": "x", "callback_data": "a", "url": "https://a.b"}]]}
    status, body = await api("sendMessage", chat_id=alice.id, text="t", reply_markup=markup)
    assert status == 400
    assert "exactly one of the optional fields" in body["description"]


async def test_url_and_tg_buttons_are_fine(sandbox: Sandbox, api: ApiCall) -> None:
    alice = sandbox.user()
    markup = {
        "inline_keyboard": [
            [{"text": "site", "url": "https://www.apprenticeship.gov"}],
            [{"text": "tg", "url": "tg://resolve?domain=example"}],
            [{"text": "share", "switch_inline_query": "red seal"}],
        ]
    }
    status, body = await api("sendMessage", chat_id=alice.id, text="t", reply_markup=markup)
    assert status == 200
    assert body["result"]["reply_markup"] == markup


# -- edits and deletions -------------------------------------------------------------------


async def test_edit_rules(sandbox: Sandbox, api: ApiCall) -> None:
    alice = sandbox.user()
    _, sent = await api(
        "sendMessage",
        chat_id=alice.id,
        text="<b>v1</b>",
        parse_mode="HTML",
        reply_markup=keyboard(1, 2),
    )
    message_id = sent["result"]["message_id"]
    same = {"chat_id": alice.id, "message_id": message_id, "parse_mode": "HTML"}
    status, body = await api(
        "editMessageText", text="<b>v1</b>", reply_markup=keyboard(1, 2), **same
    )
    assert bad(
        body,
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message",
    )
    # same text but as plain text differs in entities -> it is a modification
    status, body = await api("editMessageText", text="v1", reply_markup=keyboard(1, 2), **same)
    assert status == 200
    assert "entities" not in body["result"]
    assert isinstance(body["result"]["edit_date"], int)
    # omitting reply_markup removes the keyboard
    status, body = await api("editMessageText", text="v1", **same)
    assert status == 200
    assert "reply_markup" not in body["result"]
    status, body = await api("editMessageReplyMarkup", chat_id=alice.id, message_id=message_id)
    assert body["description"].startswith("Bad Request: message is not modified")
    status, body = await api("editMessageText", chat_id=alice.id, message_id=999, text="x")
    assert bad(body, "Bad Request: message to edit not found")
    history = sandbox.history(alice, message_id)
    assert [version.text for version in history] == ["v1", "v1", "v1"]
    assert [bool(version.buttons) for version in history] == [True, True, False]


async def test_users_messages_cannot_be_edited(sandbox: Sandbox, api: ApiCall) -> None:
    alice = sandbox.user()
    message = await alice.send("hello")
    _status, body = await api(
        "editMessageText", chat_id=alice.id, message_id=message.message_id, text="x"
    )
    assert bad(body, "Bad Request: message can't be edited")


async def test_delete_rules(sandbox: Sandbox, api: ApiCall) -> None:
    alice = sandbox.user()
    _, sent = await api("sendMessage", chat_id=alice.id, text="bye")
    message_id = sent["result"]["message_id"]
    status, body = await api("deleteMessage", chat_id=alice.id, message_id=message_id)
    assert (status, body) == (200, {"ok": True, "result": True})
    status, body = await api("deleteMessage", chat_id=alice.id, message_id=message_id)
    assert bad(body, "Bad Request: message to delete not found")
    deleted = await sandbox.wait_event(alice, kinds=["deleted"])
    assert deleted.message_id == message_id


async def test_reply_to_missing_message(sandbox: Sandbox, api: ApiCall) -> None:
    alice = sandbox.user()
    params = {"chat_id": alice.id, "text": "re"}
    status, body = await api("sendMessage", reply_parameters={"message_id": 77}, **params)
    assert bad(body, "Bad Request: message to be replied not found")
    status, body = await api(
        "sendMessage",
        reply_parameters={"message_id": 77, "allow_sending_without_reply": True},
        **params,
    )
    assert status == 200


# -- 403s and 429 --------------------------------------------------------------------------


async def test_blocked_user_answers_403(sandbox: Sandbox, api: ApiCall) -> None:
    alice = sandbox.user()
    alice.block()
    status, body = await api("sendMessage", chat_id=alice.id, text="hi")
    assert status == 403
    assert body == {
        "ok": False,
        "error_code": 403,
        "description": "Forbidden: bot was blocked by the user",
    }
    update = sandbox.updates[-1]["my_chat_member"]
    assert update["old_chat_member"]["status"] == "member"
    assert update["new_chat_member"]["status"] == "kicked"
    assert update["new_chat_member"]["until_date"] == 0
    alice.unblock()
    status, _ = await api("sendMessage", chat_id=alice.id, text="hi again")
    assert status == 200


async def test_user_who_never_started_the_bot(sandbox: Sandbox, api: ApiCall) -> None:
    bob = sandbox.user("Bob", started=False)
    status, body = await api("sendMessage", chat_id=bob.id, text="hi")
    assert (status, body["description"]) == (
        403,
        "Forbidden: bot can't initiate conversation with a user",
    )


async def test_flood_control_answers_429_with_retry_after(sandbox: Sandbox, api: ApiCall) -> None:
    alice = sandbox.user()
    sandbox.configure_flood(enabled=True, private_per_sec=1, private_burst=3)
    statuses = []
    for _ in range(4):
        status, body = await api("sendMessage", chat_id=alice.id, text="spam")
        statuses.append(status)
    assert statuses == [200, 200, 200, 429]
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert sandbox.count_requests("sendMessage", status=429) == 1
    sandbox.configure_flood(enabled=False)
    status, _ = await api("sendMessage", chat_id=alice.id, text="calm")
    assert status == 200


async def test_group_flood_limit_is_per_minute(sandbox: Sandbox, api: ApiCall) -> None:
    group = sandbox.group("Estudiantes")
    sandbox.configure_flood(enabled=True, group_per_min=20, group_burst=2)
    results = [(await api("sendMessage", chat_id=group.id, text="x"))[0] for _ in range(3)]
    assert results == [200, 200, 429]
    _, body = await api("sendMessage", chat_id=group.id, text="x")
    assert body["parameters"]["retry_after"] == 3  # one message per 3 s at 20/min


# -- queries -------------------------------------------------------------------------------


async def test_inline_query_limits(sandbox: Sandbox, api: ApiCall) -> None:
    alice = sandbox.user()
    pending = alice.inline_query("red seal")
    status, body = await api(
        "answerInlineQuery",
        inline_query_id=pending.id,
        results=[article(str(i)) for i in range(51)],
    )
    assert bad(body, "Bad Request: RESULTS_TOO_MUCH")
    status, body = await api(
        "answerInlineQuery", inline_query_id=pending.id, results=[article("a"), article("a")]
    )
    assert bad(body, "Bad Request: RESULT_ID_DUPLICATE")
    status, body = await api(
        "answerInlineQuery", inline_query_id=pending.id, results=[article("x" * 65)]
    )
    assert bad(body, "Bad Request: RESULT_ID_INVALID")
    status, body = await api(
        "answerInlineQuery",
        inline_query_id=pending.id,
        results=[article("a", "<p>x</p>", parse_mode="HTML")],
    )
    assert bad(
        body, 'Bad Request: can\'t parse entities: Unsupported start tag "p" at byte offset 0'
    )
    status, body = await api(
        "answerInlineQuery",
        inline_query_id=pending.id,
        results=[article("a")],
        next_offset="o" * 65,
    )
    assert bad(body, "Bad Request: NEXT_OFFSET_INVALID")
    status, body = await api(
        "answerInlineQuery",
        inline_query_id=pending.id,
        results=[article(str(i)) for i in range(50)],
        next_offset="50",
        cache_time=0,
    )
    assert status == 200
    answer = await pending.answer()
    assert len(answer.results) == 50
    assert answer.next_offset == "50"
    status, body = await api("answerInlineQuery", inline_query_id=pending.id, results=[])
    assert bad(
        body,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )


async def test_callback_answer_rules(sandbox: Sandbox, api: ApiCall) -> None:
    alice = sandbox.user()
    _, sent = await api("sendMessage", chat_id=alice.id, text="pick", reply_markup=keyboard(1, 1))
    press = await alice.press(sent["result"]["message_id"], 0)
    status, body = await api("answerCallbackQuery", callback_query_id=press.id, text="x" * 201)
    assert bad(body, "Bad Request: MESSAGE_TOO_LONG")
    status, _ = await api("answerCallbackQuery", callback_query_id=press.id, text="Saved")
    assert status == 200
    status, body = await api("answerCallbackQuery", callback_query_id=press.id)
    assert bad(
        body,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    assert sandbox.callback_answers[press.id].text == "Saved"


# -- files ---------------------------------------------------------------------------------


async def test_photos_documents_and_downloads(sandbox: Sandbox) -> None:
    alice = sandbox.user()
    async with httpx.AsyncClient() as client:
        base = f"{sandbox.url}/bot{sandbox.token}"
        response = await client.post(
            f"{base}/sendPhoto",
            data={"chat_id": str(alice.id)},
            files={"photo": ("qr.png", png_bytes(4, 5), "image/png")},
        )
        photo = response.json()["result"]["photo"][0]
        assert (photo["width"], photo["height"]) == (4, 5)
        response = await client.post(
            f"{base}/sendPhoto",
            data={"chat_id": str(alice.id)},
            files={"photo": ("x.png", b"not an image", "image/png")},
        )
        assert bad(response.json(), "Bad Request: IMAGE_PROCESS_FAILED")
        response = await client.post(
            f"{base}/sendDocument",
            data={"chat_id": str(alice.id), "document": "attach://file"},
            files={"file": ("guide.pdf", b"%PDF-1.4 guide", "application/pdf")},
        )
        document = response.json()["result"]["document"]
        assert document["file_name"] == "guide.pdf"
        assert document["mime_type"] == "application/pdf"
        response = await client.post(
            f"{base}/sendDocument",
            json={"chat_id": alice.id, "document": document["file_id"]},
        )
        assert response.json()["result"]["document"]["file_id"] == document["file_id"]
        response = await client.post(
            f"{base}/sendDocument", json={"chat_id": alice.id, "document": "nope"}
        )
        assert bad(response.json(), "Bad Request: wrong file identifier/HTTP URL specified")
        response = await client.post(f"{base}/sendDocument", json={"chat_id": alice.id})
        assert bad(response.json(), "Bad Request: there is no document in the request")
        response = await client.post(f"{base}/getFile", json={"file_id": document["file_id"]})
        path = response.json()["result"]["file_path"]
        download = await client.get(f"{sandbox.url}/file/bot{sandbox.token}/{path}")
        assert download.content == b"%PDF-1.4 guide"
    messages = sandbox.messages(alice)
    assert messages[0].photo == png_bytes(4, 5)
    assert messages[1].document == b"%PDF-1.4 guide"


# -- settings and chats --------------------------------------------------------------------


async def test_commands_are_keyed_by_scope_and_language(sandbox: Sandbox, api: ApiCall) -> None:
    es = [{"command": "inicio", "description": "Empezar"}]
    en = [{"command": "start", "description": "Start"}]
    assert (await api("setMyCommands", commands=en))[0] == 200
    assert (await api("setMyCommands", commands=es, language_code="es"))[0] == 200
    scope = {"type": "all_private_chats"}
    assert (await api("setMyCommands", commands=es, scope=scope))[0] == 200
    assert (await api("getMyCommands"))[1]["result"] == en
    assert (await api("getMyCommands", language_code="es"))[1]["result"] == es
    assert (await api("getMyCommands", scope=scope))[1]["result"] == es
    assert (await api("getMyCommands", language_code="fr"))[1]["result"] == []
    invalid = [{"command": "Bad-Cmd", "description": "x"}]
    _status, body = await api("setMyCommands", commands=invalid)
    assert bad(body, "Bad Request: BOT_COMMAND_INVALID")
    assert (await api("deleteMyCommands", language_code="es"))[0] == 200
    assert (await api("getMyCommands", language_code="es"))[1]["result"] == []
    assert sandbox.commands() == en


async def test_descriptions_and_menu_button(sandbox: Sandbox, api: ApiCall) -> None:
    alice = sandbox.user()
    await api("setMyDescription", description="Apprenticeships in North America")
    await api("setMyShortDescription", short_description="Aprendizajes", language_code="es")
    assert (await api("getMyDescription"))[1]["result"] == {
        "description": "Apprenticeships in North America"
    }
    assert (await api("getMyShortDescription", language_code="es"))[1]["result"] == {
        "short_description": "Aprendizajes"
    }
    assert (await api("getChatMenuButton"))[1]["result"] == {"type": "commands"}
    button = {"type": "web_app", "text": "Open", "web_app": {"url": "https://example.org"}}
    assert (await api("setChatMenuButton", chat_id=alice.id, menu_button=button))[0] == 200
    assert (await api("getChatMenuButton", chat_id=alice.id))[1]["result"] == button
    assert sandbox.menu_button(alice) == button
    status, _body = await api("setMyDescription", description="d" * 513)
    assert status == 400


async def test_chat_members_and_admins(sandbox: Sandbox, api: ApiCall) -> None:
    alice, bob, carol = sandbox.user("Alice"), sandbox.user("Bob"), sandbox.user("Carol")
    group = sandbox.group("Estudiantes", members=[bob], admins=[alice], owner=carol)
    statuses = {}
    for user in (alice, bob, carol):
        _, body = await api("getChatMember", chat_id=group.id, user_id=user.id)
        statuses[user.first_name] = body["result"]["status"]
    assert statuses == {"Alice": "administrator", "Bob": "member", "Carol": "creator"}
    _, body = await api("getChatAdministrators", chat_id=group.id)
    assert [m["user"]["first_name"] for m in body["result"]] == ["Carol", "Alice"]
    _, body = await api("getChat", chat_id=group.id)
    assert body["result"]["type"] == "supergroup"
    assert body["result"]["title"] == "Estudiantes"
    _, body = await api("getChatAdministrators", chat_id=alice.id)
    assert bad(body, "Bad Request: there are no administrators in the private chat")


async def test_get_updates_conflicts_with_webhook(sandbox: Sandbox, api: ApiCall) -> None:
    status, body = await api("setWebhook", url="https://example.invalid/hook")
    assert body == {"ok": True, "result": True, "description": "Webhook was set"}
    status, body = await api("getUpdates")
    assert status == 409
    assert body["description"] == (
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first"
    )
    status, body = await api("setWebhook", url="ftp://example.org/hook")
    assert bad(body, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
    _, body = await api("deleteWebhook", drop_pending_updates=True)
    assert body["description"] == "Webhook was deleted"
    status, body = await api("getUpdates", timeout=0)
    assert (status, body) == (200, {"ok": True, "result": []})

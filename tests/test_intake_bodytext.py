"""strip_reply keeps what the department wrote: no quoted directive, no signature."""

from __future__ import annotations

import pytest

from mailflow.core.reply_body import strip_reply

REPORT = "I. KẾT QUẢ\nPhòng đã hoàn thành 12 đề tài.\nII. NHIỆM VỤ\nTiếp tục triển khai."


@pytest.mark.parametrize(
    "quote",
    [
        "On Mon, Jul 10, 2023 at 9:00 AM Van phong <baocao@sokhcn.example> wrote:\n> Kính gửi",
        "On Mon, Jul 10, 2023 at 9:00 AM Van phong <\nbaocao@sokhcn.example> wrote:\n> x",
        "Vào Th 2, 10 thg 7, 2023 vào lúc 09:00 Văn phòng <baocao@sokhcn.example> đã viết:\n> x",
        "-----Original Message-----\nFrom: Van phong\nSent: Monday\nSubject: x\n\nKính gửi",
        "________________________________\nFrom: Văn phòng <baocao@sokhcn.example>\n"
        "Sent: Monday, July 10, 2023 9:00 AM\nTo: QLKH\nSubject: [2023-H1]\n\nKính gửi",
        "Từ: Văn phòng <baocao@sokhcn.example>\nĐã gửi: Thứ Hai, 10 tháng 7, 2023 9:00\n"
        "Đến: qlkh@sokhcn.example\nChủ đề: [2023-H1] Công văn\n\nKính gửi các phòng",
        "-----Thư gốc-----\nTừ: Văn phòng\n\nKính gửi",
    ],
)
def test_quoted_original_is_removed(quote: str) -> None:
    assert strip_reply(f"{REPORT}\n\n{quote}\n") == REPORT


@pytest.mark.parametrize(
    "signature",
    [
        "-- \nNguyễn Văn A\nPhòng QLKH",
        "Trân trọng,\nNguyễn Văn A\nĐT: 0912 345 678",
        "Trân trọng!",
        "Best regards,\nNguyen Van A",
        "Sent from my iPhone",
        "Gửi từ iPhone của tôi",
    ],
)
def test_signature_is_removed(signature: str) -> None:
    assert strip_reply(f"{REPORT}\n\n{signature}\n") == REPORT


def test_interleaved_quote_lines_are_dropped_and_own_lines_kept() -> None:
    text = "> Đề nghị báo cáo mục I\nMục I: đã làm xong.\n> Mục II?\nMục II: đang làm."
    assert strip_reply(text) == "Mục I: đã làm xong.\nMục II: đang làm."


def test_closing_word_far_above_the_end_is_report_text() -> None:
    long_tail = "\n".join(f"Dòng {i}" for i in range(30))
    text = f"Trân trọng báo cáo kết quả như sau:\n{long_tail}"
    assert strip_reply(text) == text


def test_a_forwarded_message_marker_is_kept_because_the_forward_is_the_report() -> None:
    text = f"---------- Forwarded message ---------\nFrom: QLKH\n\n{REPORT}"
    assert "12 đề tài" in strip_reply(text)

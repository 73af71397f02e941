"""Sentences about the editable mail templates."""

MESSAGES = {
    "mailtext.fix_hint": {
        "vi": "Sửa mẫu trong {dir} (cú pháp Jinja) hoặc xoá nó để dùng mẫu mặc định.",
        "en": "Fix the template in {dir} (Jinja syntax) or remove it to use the default.",
    },
}

"""Line-level boilerplate rules, applied to trafilatura's text after extraction.

:func:`filter_lines` drops lines that still leak (follow-us lines, comment
policies, copyright notices, phone numbers, weather readings, tag lists, view
counters, cookie/consent notices, editorial-board credits) and exact
duplicates (repeated captions). Each rule requires a short line plus a
specific phrase, so ordinary sentences that merely mention Facebook, the
weather or the editor-in-chief are kept. Each removal is recorded under the
rule's name (see :mod:`.harm`).
"""

from __future__ import annotations

import re

from .arabic import collapse_ws, normalize_for_match
from .harm import Removal

# Text that opens a "read also" teaser, after normalize_for_match.
READ_ALSO_RE = re.compile(
    r"^[«\"(*\-–•\s]*(?:اقرا\s+(?:ايضا|كذلك|المزيد)|شاهد\s+(?:ايضا|كذلك)|طالع\s+(?:ايضا|كذلك)|"
    r"يهمك\s+ايضا|قد\s+يهمك|ربما\s+يهمك|ذات\s+صلة|(?:مواضيع|اخبار|مقالات|روابط)\s+ذات\s+صلة|"
    r"المزيد\s+من\s+الاخبار|اخترنا\s+لك|read\s+(?:also|more))"
)
_FOLLOW_RE = re.compile(
    r"(?:تابعو?نا|تابعوا|تابع|اشترك|اشتركوا|انضم|انضموا|حمل|نزل|لمتابعة|للاشتراك|للمتابعة|follow"
    r"|subscribe|sign up)"
)
_PLATFORM_RE = re.compile(
    r"غوغل نيوز|جوجل نيوز|google news|تلغرام|تليغرام|تيليجرام|تلجرام|telegram|فيسبوك|فيس بوك|"
    r"facebook|تويتر|twitter|منصة اكس|واتساب|واتس اب|whatsapp|يوتيوب|youtube|انستغرام|انستجرام|"
    r"instagram|تيك توك|tiktok|قناتنا|صفحتنا|حسابنا|النشرة البريدية|النشرة الاخبارية|نشرتنا|تطبيق"
    r"|newsletter"
)
_POLICY_RE = re.compile(r"(?:التعليقات|تعليق|الاراء|المقالات|ما ينشر|ما يرد)")
_POLICY_HINT_RE = re.compile(r"لا تعبر|لا يعبر|لا تمثل|سياسة|ارشادات|شروط|مراجعة|مسؤولية|اصحابها|كاتبها")
# a notice, not a sentence about copyright: the sign, a reserved-rights phrase, or the word
# opening the line or followed by a year/(c)
_COPYRIGHT_RE = re.compile(
    r"(?:جميع|كافة) الحقوق محفوظة|^حقوق النشر|©|all rights reserved|^copyright\b"
    r"|copyright\s*(?:\(c\)|\d{4})|\(c\)\s*\d{4}")
_SHARE_RE = re.compile(r"^(?:شارك|شاركوا|انشر|share)(?:\s|$)")
_PHONE_RE = re.compile(r"(?:هاتف|الهاتف|تلفون|تلفاكس|فاكس|جوال|موبايل|واتساب|tel|phone|fax)\s*[:.]?\s*[+(]?\d")
_WEATHER_RE = re.compile(r"[°℃]|درجة مئوية")
_WEATHER_WORD_RE = re.compile(r"غائم|مشمس|ماطر|صحو|امطار|الطقس|الحرارة|رطوبة|رياح")
_TAGS_RE = re.compile(r"^(?:الوسوم|وسوم|كلمات مفتاحية|الكلمات المفتاحية|الكلمات الدلالية|tags)\s*[:：]?")
_COUNTER_RE = re.compile(r"(?:عدد|مرات)\s+(?:القراءات|المشاهدات|الزيارات|الزوار|القراء)|^(?:طباعة|ارسل لصديق)(?:\s|$)")
# cookie/consent banners: the cookie word plus the site addressing its reader
COOKIE_RE = re.compile(r"cookie|ملفات (?:تعريف )?الارتباط|الكوكيز|كوكيز|ملفات الكوكي")
CONSENT_RE = re.compile(
    r"we use|this (?:site|website) uses|our (?:site|website)|by (?:continuing|using)|accept|agree|consent"
    r"|privacy|نستخدم|يستخدم (?:هذا )?الموقع|موقعنا|الموقع|بالاستمرار|بمتابعة|موافق|اوافق|قبول|الخصوصية")
# masthead credits of the editorial board ("رئيس التحرير: … | الإشراف العام: …")
_MASTHEAD_RE = re.compile(
    r"رئيس التحرير|رئيس مجلس الادارة|مدير التحرير|الاشراف العام|المشرف العام|سكرتير التحرير"
    r"|نائب رئيس التحرير|editor[- ]in[- ]chief|managing editor")
_MASTHEAD_START_RE = re.compile(r"^(?:" + _MASTHEAD_RE.pattern + r")\s*[:：]")
_COMMENT_PROMPT_RE = re.compile(r"^(?:اضافة تعليق|اضف تعليق|اترك تعليقا|اكتب تعليقك|التعليقات\s*\(|لا توجد تعليقات)")


def line_rule(line: str, norm: str | None = None) -> str | None:
    """The name of the rule that makes one extracted line boilerplate, or None.

    Args:
        line: One line of extracted text.
        norm: ``normalize_for_match(line)`` if the caller already has it.
    """
    norm = normalize_for_match(line) if norm is None else norm
    if not norm:
        return "empty"
    words = len(norm.split())
    for rule, limit, test in _LINE_RULES:
        if words <= limit and test(norm):
            return rule
    return None


def _is_policy(norm: str) -> bool:
    return bool(_POLICY_RE.search(norm) and _POLICY_HINT_RE.search(norm)) and (
        "موقع" in norm or "الموقع" in norm or "الصحيفة" in norm or "الجريدة" in norm
        or "اصحابها" in norm or "كاتبها" in norm or "نشرها" in norm)


def _is_masthead(norm: str) -> bool:
    labels = len(_MASTHEAD_RE.findall(norm))
    return labels >= 2 or (labels == 1 and bool(_MASTHEAD_START_RE.match(norm)))


# (rule, most words a line may have, test on the normalised line); each names a
# kind of site chrome, and the word limits keep ordinary sentences out of reach
_LINE_RULES = (
    ("read_also_line", 40, READ_ALSO_RE.match),
    ("follow_us", 25, lambda n: bool(_FOLLOW_RE.search(n) and _PLATFORM_RE.search(n))),
    ("follow_us", 8, lambda n: n.startswith(("تابعونا", "تابعنا", "تابعوا"))),
    ("comment_policy", 80, _is_policy),
    ("copyright", 30, _COPYRIGHT_RE.search),
    ("share_line", 8, _SHARE_RE.match),
    ("contact_phone", 15, _PHONE_RE.search),
    ("weather_reading", 12, lambda n: bool(_WEATHER_RE.search(n) and _WEATHER_WORD_RE.search(n))),
    ("tag_list", 30, _TAGS_RE.match),
    ("view_counter", 15, _COUNTER_RE.search),
    ("comment_prompt", 10, _COMMENT_PROMPT_RE.match),
    ("cookie_notice", 60, lambda n: bool(COOKIE_RE.search(n) and CONSENT_RE.search(n))),
    ("editorial_credits", 40, _is_masthead),
)


def is_boilerplate_line(line: str, norm: str | None = None) -> bool:
    """True when a single extracted line is a known kind of boilerplate (see :func:`line_rule`)."""
    return line_rule(line, norm) is not None


def filter_lines(lines: list[str], removals: list[Removal] | None = None) -> list[str]:
    """Drop boilerplate lines and exact duplicates, keeping order.

    Args:
        lines: Extracted text lines.
        removals: If given, one :class:`Removal` per dropped line is appended.

    Returns:
        The lines worth keeping.
    """
    seen: set[str] = set()
    kept: list[str] = []
    for line in lines:
        line = collapse_ws(line)
        if not line:
            continue
        rule = None
        if line.count(" ") > 80:  # every boilerplate rule is for short lines
            key = line
        else:
            key = normalize_for_match(line)
            rule = line_rule(line, key)
        if rule is None and key in seen:
            rule = "duplicate"  # repeated captions and teasers
        if rule is not None:
            if removals is not None:
                removals.append(Removal(rule, "line", line))
            continue
        seen.add(key)
        kept.append(line)
    return kept

"""A synthetic course for the benchmark: many lessons, every construct.

``generate(root, lessons)`` writes a Sphinx project (``conf.py``, an index
with a toctree, modules ``NN-module-N/NN-slug.md`` and one small PNG all
lessons share) whose lessons use every construct the ``mdx`` builder
writes: headings, long Russian prose full of characters MDX would read as
syntax, lists, a definition list, a quote, a table, code blocks, doctest
blocks, a Mermaid diagram, callouts of each kind, links to other lessons and
to headings, images, a figure, footnotes and a raw MDX block.  Its conf.py
sets ``mdx_diagrams`` to the form ``generate`` is given: "component" (the
chart handed to the site's ``<Mermaid>``) or "svg" (drawn at build time in
headless Chromium; every lesson's chart is different, so an empty diagram
cache means one drawing per lesson).

The text is drawn from a random generator seeded by the lesson's position,
so a course of N lessons is the same on every run and every machine, and
the first 50 lessons of the 1000-lesson course are the 50-lesson course.
"""

from __future__ import annotations

import random
import textwrap
from dataclasses import dataclass
from pathlib import Path

# Lesson names have two digits, so a module holds at most 99 lessons; 25 a
# module spreads even the smallest course over several modules, so links
# between modules are measured too.
LESSONS_PER_MODULE = 25
MAX_MODULES = 99
# The first lesson's prerequisite lives only on the site, like the course's own.
EXTERNAL_LESSON = "module-1/05-python-consumer"
IMAGE = "images/pixel.png"
# A 1x1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
# Events that tools/debezium_course/bench/phases.py records when this variable names a file.
PHASES_ENV = "BENCH_PHASES_FILE"
# The values of the builder's mdx_diagrams setting.
DIAGRAM_FORMS = ("component", "svg")

CONF_PY = f'''\
"""Synthetic course for tools/debezium_course/bench, configured like the course's conf.py."""

import os

project = "Benchmark course"
author = "tools/debezium_course/bench"
language = "ru"

extensions = [
    "myst_parser",
    "sphinx.ext.doctest",
    "sphinxcontrib.mermaid",
    "sphinx_astro_mdx",
]
# Timestamps of the build phases, for the benchmark's read/write split.
if os.environ.get("{PHASES_ENV}"):
    extensions.append("debezium_course.bench.phases")

source_suffix = {{".md": "markdown"}}
root_doc = "index"
exclude_patterns = ["_build"]

myst_enable_extensions = ["colon_fence", "deflist"]
myst_fence_as_directive = ["mermaid"]
myst_heading_anchors = 3
myst_disable_syntax = ["html_inline", "html_block"]

html_theme = "alabaster"
# No sidebars: alabaster's navigation sidebar resolves the whole toctree for
# every page, which grows with the square of the course (about 0.4 s a page
# at 1000 lessons) and would make the reference build mostly sidebar.
html_sidebars = {{"**": []}}
mermaid_output_format = "raw"

mdx_external_lessons = ["{EXTERNAL_LESSON}"]
'''

TOPICS = [
    ("offsets", "Смещения и коммиты"),
    ("consumer-groups", "Группы потребителей"),
    ("snapshots", "Начальный снимок таблицы"),
    ("replication-slots", "Слоты логической репликации"),
    ("schemas", "Схемы сообщений"),
    ("outbox", "Паттерн outbox"),
    ("transforms", "Преобразования SMT"),
    ("tombstones", "Удаления и tombstone-записи"),
    ("exactly-once", "Семантика exactly-once"),
    ("monitoring", "Мониторинг задержки"),
]
DIFFICULTIES = ("beginner", "intermediate", "advanced")

SUBJECTS = [
    "Коннектор Debezium", "Консьюмер", "Брокер Kafka", "Слот репликации", "Группа потребителей",
    "Продюсер", "Каждый обработчик", "Схема Avro", "Топик `inventory.orders`", "Журнал WAL",
    "Kafka Connect", "Снимок таблицы", "Координатор группы", "Наш сервис",
]
VERBS = [
    "читает", "фиксирует", "повторно отправляет", "пропускает", "сохраняет", "сериализует",
    "разбирает", "группирует", "откладывает", "переупорядочивает", "подтверждает", "теряет",
]
OBJECTS = [
    "события изменений", "смещения партиций", "записи о транзакциях", "ключи сообщений",
    "значения поля `before`", "пакеты по 500 записей", "служебные заголовки", "heartbeat-сообщения",
    "строки таблицы `customers`", "метаданные источника",
]
# Tails carry the characters that mean something to MDX or Markdown: braces,
# angle brackets, backticks, emphasis characters, pipes, dollars, ampersands.
TAILS = [
    "если `lag > 1000` держится дольше минуты",
    "когда {offset} < {high_watermark} на всех партициях",
    "в формате <ключ, значение> без изменений",
    "как в шаблоне ${topic}-${partition} из настроек",
    "где запись a | b означает выбор одного из двух",
    "по полям со snake_case_именами вроде `source_ts_ms`",
    "за время порядка 2 * 3 * 7 = 42 миллисекунд",
    "с обратной кавычкой \\` прямо в тексте",
    "и выражением {props.value} в середине строки",
    "вместе с комментарием <!-- не HTML --> в тексте",
    "по правилу A & B, а не A && B",
    "с путём C:\\\\kafka\\\\data в примере для Windows",
    "а не *звёздочками* или __подчёркиваниями__ из разметки",
    "с квадратными скобками [не ссылка] и восклицанием!",
    "пока #hashtag и ~тильда~ остаются текстом",
    "в течение 30 секунд, как задаёт `session.timeout.ms`",
]
OPENERS = [
    "Важно понимать, что", "На практике", "В production-среде", "Как правило,", "При сбое",
    "После перезапуска", "В отличие от модуля 1,", "Даже при нормальной работе",
]
CLOSERS = [
    "Это упрощает отладку.", "Иначе данные теряются.", "Так ведёт себя клиент по умолчанию.",
    "Об этом подробнее ниже.", "Проверьте это на своём стенде.",
]
# Paragraph lines that MDX would read as ES modules if they reached it raw.
ESM_LINES = [
    "import x from 'y' в начале строки остаётся текстом.",
    "export const lag = 1 — тоже просто текст урока.",
]


@dataclass(frozen=True)
class Lesson:
    module: int
    number: int
    slug: str
    title: str

    @property
    def docname(self) -> str:
        return f"{self.module:02d}-module-{self.module}/{self.number:02d}-{self.slug}"

    @property
    def course_id(self) -> str:
        return f"module-{self.module}/{self.number:02d}-{self.slug}"

    @property
    def label(self) -> str:
        return f"bench-{self.module:02d}-{self.number:02d}-summary"


def plan(lessons: int, per_module: int = LESSONS_PER_MODULE) -> list[Lesson]:
    """The lessons of a course of ``lessons`` lessons, in course order."""
    if not 1 <= per_module <= 99 or not 1 <= lessons <= per_module * MAX_MODULES:
        raise ValueError(f"a course has 1 to {per_module * MAX_MODULES} lessons, 1 to 99 a module; not {lessons} by {per_module}")
    course = []
    for index in range(lessons):
        module, position = divmod(index, per_module)
        slug, topic = TOPICS[index % len(TOPICS)]
        course.append(Lesson(module + 1, position + 1, slug, f"Урок {module + 1}.{position + 1}: {topic} и {{детали}}"))
    return course


def generate(root: Path, lessons: int, per_module: int = LESSONS_PER_MODULE, *, diagrams: str) -> list[Lesson]:
    """Write the project into ``root`` (which must not exist yet); returns its lessons.

    ``diagrams`` is the conf.py's ``mdx_diagrams``: "component" or "svg".
    """
    if diagrams not in DIAGRAM_FORMS:
        raise ValueError(f"diagrams must be one of {DIAGRAM_FORMS}, not {diagrams!r}")
    course = plan(lessons, per_module)
    root.mkdir(parents=True)
    (root / "conf.py").write_text(CONF_PY + f'mdx_diagrams = "{diagrams}"\n', encoding="utf-8")
    (root / "index.md").write_text("# Синтетический курс\n\n```{toctree}\n:glob:\n\n*/*\n```\n", encoding="utf-8")
    (root / IMAGE).parent.mkdir()
    (root / IMAGE).write_bytes(PNG)
    for index, lesson in enumerate(course):
        # Every lesson points at its predecessor; the first at its successor.
        neighbour = course[index - 1] if index else course[min(1, len(course) - 1)]
        source = root / f"{lesson.docname}.md"
        source.parent.mkdir(exist_ok=True)
        source.write_text(lesson_source(lesson, neighbour, index, random.Random(index)), encoding="utf-8")
    return course


def _sentence(rng: random.Random) -> str:
    sentence = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}."
    if rng.random() < 0.5:
        sentence = f"{rng.choice(OPENERS)} {sentence[0].lower()}{sentence[1:]}"
    if rng.random() < 0.3:
        sentence += " " + rng.choice(CLOSERS)
    return sentence


def _paragraph(rng: random.Random, sentences: int) -> str:
    # One sentence a line: every line starts with a capital letter, never
    # with something Markdown would read as a list, a quote or a heading.
    return "\n".join(_sentence(rng) for _ in range(sentences))


def _prose(rng: random.Random, paragraphs: int) -> str:
    return "\n\n".join(_paragraph(rng, rng.randint(3, 6)) for _ in range(paragraphs))


def lesson_source(lesson: Lesson, neighbour: Lesson, index: int, rng: random.Random) -> str:
    prerequisites = f'["{neighbour.course_id}"]' if index else f'["{EXTERNAL_LESSON}"]'
    counter = index + 1
    discussions = "\n\n".join(f"## Разбор {part}\n\n{_prose(rng, 3)}" for part in range(1, 7))
    return textwrap.dedent(
        f'''\
        ---
        title: "{lesson.title}"
        description: "Синтетический урок {counter}: проза, код, диаграммы и {{скобки}} <для> MDX"
        order: {lesson.number}
        difficulty: "{DIFFICULTIES[index % len(DIFFICULTIES)]}"
        estimatedTime: {15 + index % 4 * 10}
        topics: ["Kafka", "Debezium", "{TOPICS[index % len(TOPICS)][0]}"]
        prerequisites: {prerequisites}
        ---

        # {lesson.title}

        {{{{PROSE_INTRO}}}}

        {ESM_LINES[0]}
        {ESM_LINES[1]}

        ## Основные понятия

        - Событие изменения содержит поля `before` и `after`
        - Ключ сообщения — первичный ключ строки:
          1. для таблицы с одним столбцом ключа — `{{"id": {counter}}}`;
          2. для составного ключа — объект с несколькими полями.
        - Значение `op` бывает `c`, `u`, `d` и `r`

        1. Запустите стенд курса.
        2. Проверьте, что коннектор в состоянии RUNNING.
        3. Прочитайте топик с начала.

        Смещение
        : Номер записи в партиции; консьюмер хранит его в `__consumer_offsets`.

        Снимок
        : Первое чтение всей таблицы перед потоком изменений.

        > Данные не теряются, пока смещение фиксируется после обработки, а не до неё.

        ## Код и проверки

        ```python
        def route(event: dict) -> str:
            """Тема назначения для события {counter}."""
            return f"{{event['source']['table']}}-{{event['op']}}"
        ```

        ```{{testsetup}} *
        LESSON = {counter}
        ```

        ```{{testcode}}
        events = [{{"op": "c", "id": LESSON}}, {{"op": "u", "id": LESSON}}]
        print(sum(1 for event in events if event["op"] in {{"c", "u"}}))
        ```

        ```{{testoutput}}
        2
        ```

        ```{{testcode}}
        :hide:
        print("скрытая проверка")
        ```

        ```{{doctest}}
        >>> sorted({{"b": 2, "a": 1}})
        ['a', 'b']
        ```

        ```json
        {{"before": null, "after": {{"id": {counter}, "note": "<b>{{x}}</b>"}}, "op": "c"}}
        ```

        ## Диаграмма потока

        ```mermaid
        flowchart LR
            PG[(PostgreSQL)] --> DBZ[Debezium] -->|"`${{topic}}`"| K[Kafka]
            K --> C{{Консьюмер {counter}}}
        ```

        {{{{PROSE_DIAGRAM}}}}

        ## Заметки

        :::{{note}}
        Урок {counter} можно проходить отдельно от остальных: `{{поле}}` и <тег> здесь просто текст.
        :::

        :::{{warning}}
        Внутри docker-сети брокер доступен как `kafka:9092`, с хоста — как `localhost:9092`.
        :::

        :::{{tip}}
        Ставьте `enable.auto.commit=False` и фиксируйте смещение *после* обработки.
        :::

        :::{{seealso}}
        Документация Debezium о {{snapshot.mode}}.
        :::

        ```{{admonition}} Итог раздела "{counter}" и {{скобки}}
        Кратко: смещение — после обработки, ключ — первичный ключ строки.
        ```

        ## Таблица операций

        | Операция | Код | Поле |
        |---|---|---|
        | Создание | `c` | `after` |
        | Обновление | `u` | `before` и `after` |
        | Выбор | `a\\|b` | {{любое}} <поле> |

        ## Ссылки и рисунки

        Этот урок продолжает {{doc}}`/{neighbour.docname}`; его итоги — в разделе
        [итоги урока](../{neighbour.docname}.md#итоги-урока) и по метке {{ref}}`{neighbour.label}`.
        Код этого урока — в разделе [код и проверки](#код-и-проверки), таблица — [ниже](#таблица-операций).
        Подробности — на [сайте Debezium](https://debezium.io/documentation/)[^source-{counter}].

        ![Схема <потока> {counter}](../{IMAGE})

        :::{{figure}} ../{IMAGE}
        :alt: Рисунок {counter}

        Подпись рисунка с {{фигурными}} скобками.
        :::

        ```{{raw}} mdx
        {{/* raw MDX of lesson {counter} */}}
        ```

        {{{{DISCUSSIONS}}}}

        ({lesson.label})=
        ### Итоги урока

        {{{{PROSE_SUMMARY}}}}

        [^source-{counter}]: Сноска урока {counter}: источник — документация Debezium <3.x>.
        '''
    ).replace("{{PROSE_INTRO}}", _prose(rng, 3)).replace("{{PROSE_DIAGRAM}}", _prose(rng, 1)).replace(
        "{{DISCUSSIONS}}", discussions
    ).replace("{{PROSE_SUMMARY}}", _prose(rng, 2))

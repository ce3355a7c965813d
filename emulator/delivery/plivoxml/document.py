"""An XML document as Plivo reads one: ``<Response>`` and its elements, each with its line.

Parsed with defusedxml (the documents come from the user's server: entities and DTDs are refused,
an entity bomb cannot take the emulator down). Every problem is an :class:`XMLProblem` naming the
document's URL, the line, and the element and attribute at fault, the way a developer wants a
debug log to read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import AttributesImpl, Locator

from defusedxml import DefusedXmlException
from defusedxml.sax import parseString

# Plivo accepts answer documents up to 100 KB (docs: XML request).
MAX_BYTES = 100 * 1024


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    line: int
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def attr(self, name: str) -> str | None:
        """An attribute by name, any case (SDKs disagree: relayDTMFInputs, relayDtmfInputs)."""
        wanted = name.lower()
        return next((value for key, value in self.attrs.items() if key.lower() == wanted), None)


@dataclass(frozen=True)
class XMLProblem(Exception):
    """What is wrong with a document, and where."""

    source: str
    line: int
    message: str
    element: str | None = None
    attribute: str | None = None

    def __str__(self) -> str:
        where = f"<{self.element}>" if self.element else "the document"
        if self.attribute:
            where += f" attribute {self.attribute}"
        return f"{self.source}:{self.line}: {where}: {self.message}"


class _Builder(ContentHandler):
    """Builds the element tree; SAX (not ElementTree) because it tells each element's line."""

    def __init__(self) -> None:
        super().__init__()
        self.root: Element | None = None
        self._open: list[Element] = []
        self._locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:
        self._locator = locator

    def startElement(self, name: str, attrs: AttributesImpl) -> None:
        line = (self._locator.getLineNumber() or 0) if self._locator is not None else 0
        element = Element(name, dict(attrs.items()), line)
        if self._open:
            self._open[-1].children.append(element)
        else:
            self.root = element
        self._open.append(element)

    def endElement(self, name: str) -> None:
        element = self._open.pop()
        element.text = element.text.strip()

    def characters(self, content: str) -> None:
        if self._open:
            self._open[-1].text += content


def parse(body: bytes | str, source: str) -> Element:
    """The ``<Response>`` element of a document; :class:`XMLProblem` if it is not one."""
    data = body.encode() if isinstance(body, str) else body
    if len(data) > MAX_BYTES:
        raise XMLProblem(source, 1, f"the document is {len(data)} bytes; Plivo reads at most {MAX_BYTES}")
    if not data.strip():
        raise XMLProblem(source, 1, "the answer is empty, not an XML document")
    builder = _Builder()
    try:
        parseString(data, builder)
    except SAXParseException as exc:
        raise XMLProblem(source, exc.getLineNumber() or 1, f"not XML: {exc.getMessage()}") from None
    except DefusedXmlException as exc:
        why = f"refused: {type(exc).__name__} (entities and DTDs are not allowed)"
        raise XMLProblem(source, 1, why) from None
    root = builder.root
    assert root is not None
    if root.tag != "Response":
        raise XMLProblem(source, root.line, f"the root element is <{root.tag}>, not <Response>", root.tag)
    return root

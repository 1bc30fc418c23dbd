/**
 * Reading the shared description: the document holds a `Y.XmlFragment` named
 * `default` (what Tiptap's Collaboration extension binds), a ProseMirror tree of
 * block elements (paragraph, heading, lists…) whose leaves are `Y.XmlText`.
 */
import * as Y from 'yjs';

/** The name of the shared type in every description document. */
export const DESCRIPTION_FIELD = 'default';

/** The description fragment of a document. */
export const descriptionOf = (doc: Y.Doc): Y.XmlFragment => doc.getXmlFragment(DESCRIPTION_FIELD);

type Node = Y.XmlElement | Y.XmlText | Y.XmlHook;

const isTextBlock = (el: Y.XmlElement): boolean =>
  el.length === 0 || el.toArray().some((c) => c instanceof Y.XmlText || (c instanceof Y.XmlElement && c.nodeName === 'hardBreak'));

function inlineText(el: Y.XmlElement): string {
  let s = '';
  for (const child of el.toArray()) {
    if (child instanceof Y.XmlText) s += deltaText(child);
    else if (child instanceof Y.XmlElement && child.nodeName === 'hardBreak') s += '\n';
    else if (child instanceof Y.XmlElement) s += inlineText(child);
  }
  return s;
}

function deltaText(t: Y.XmlText): string {
  let s = '';
  for (const op of t.toDelta() as { insert?: unknown }[]) if (typeof op.insert === 'string') s += op.insert;
  return s;
}

function collectLines(nodes: Node[], lines: string[]): void {
  for (const node of nodes) {
    if (node instanceof Y.XmlText) lines.push(deltaText(node));
    else if (node instanceof Y.XmlElement) {
      if (isTextBlock(node)) lines.push(inlineText(node));
      else collectLines(node.toArray(), lines);
    }
  }
}

/** Plain text: the text of each paragraph (or other text block), joined with newlines. */
export function plainTextOf(fragment: Y.XmlFragment): string {
  const lines: string[] = [];
  collectLines(fragment.toArray(), lines);
  return lines.join('\n');
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** ProseMirror node names of Tiptap's StarterKit → HTML tags; anything else renders as its children. */
const BLOCK_TAGS: Record<string, string> = {
  paragraph: 'p',
  blockquote: 'blockquote',
  bulletList: 'ul',
  orderedList: 'ol',
  listItem: 'li',
  codeBlock: 'pre',
};
const MARK_TAGS: Record<string, string> = { bold: 'strong', italic: 'em', strike: 's', code: 'code', underline: 'u' };

function textHtml(t: Y.XmlText): string {
  let s = '';
  for (const op of t.toDelta() as { insert?: unknown; attributes?: Record<string, unknown> }[]) {
    if (typeof op.insert !== 'string') continue;
    let html = escapeHtml(op.insert);
    for (const mark of Object.keys(op.attributes ?? {})) {
      const tag = MARK_TAGS[mark];
      if (tag) html = `<${tag}>${html}</${tag}>`;
    }
    s += html;
  }
  return s;
}

function nodesHtml(nodes: Node[]): string {
  let s = '';
  for (const node of nodes) {
    if (node instanceof Y.XmlText) s += textHtml(node);
    else if (node instanceof Y.XmlElement) {
      const inner = nodesHtml(node.toArray());
      if (node.nodeName === 'hardBreak') s += '<br>';
      else if (node.nodeName === 'horizontalRule') s += '<hr>';
      else if (node.nodeName === 'heading') {
        const level = Math.min(6, Math.max(1, Number(node.getAttribute('level')) || 1));
        s += `<h${level}>${inner}</h${level}>`;
      } else {
        const tag = BLOCK_TAGS[node.nodeName];
        s += tag ? `<${tag}>${inner}</${tag}>` : inner;
      }
    }
  }
  return s;
}

/** A safe HTML rendering (escaped text, a fixed set of tags, no attributes) for viewing a version. */
export function htmlOf(fragment: Y.XmlFragment): string {
  return nodesHtml(fragment.toArray());
}

/** Paragraphs for a plain text (one per line), as a first document from an appeal's original description. */
export function paragraphsFrom(text: string): Y.XmlElement[] {
  return text.split('\n').map((line) => {
    const p = new Y.XmlElement('paragraph');
    if (line.length > 0) p.insert(0, [new Y.XmlText(line)]);
    return p;
  });
}

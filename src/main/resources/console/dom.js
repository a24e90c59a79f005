// Small DOM helpers of the console. Every server-provided string reaches the page through textContent
// or a text node, never through innerHTML, so a role id or a justification is always shown as text.

/** The element with this id. */
export function $(id) {
  return document.getElementById(id);
}

/** Builds an element; attributes are set with setAttribute, children appended as nodes or text. */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** An id as one path segment of a URL. */
export function enc(id) {
  return encodeURIComponent(id);
}

export function clone(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** A JSON value as the console shows it; absent members say so. */
export function shown(value) {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

/** The non-empty items of a comma-separated input. */
export function csv(value) {
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

export const DAY_MS = 24 * 60 * 60 * 1000;

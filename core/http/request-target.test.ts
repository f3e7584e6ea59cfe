import { describe, expect, it } from "vitest";
import { requestTarget } from "./request-target.ts";

/** Whatever the shortcut takes, the answer must be exactly `new URL()`'s. */
const CASES = [
  "http://h/anthropic/v1/messages",
  "http://127.0.0.1:4000/openai/v1/models?limit=2&after_id=x",
  "http://h/a?",
  "http://h/a?#x",
  "http://h/a#x?y",
  "http://h/a?x#y",
  "http://h/a?a=1?b=2",
  "http://h",
  "http://h/",
  "http://h//x//y?z",
  "http://h/v1/models/claude-3.5?x",
  "http://h/a/../b",
  "http://h/a/%2e%2e/b",
  "http://h/a\\b",
  "http://h/a b",
  "http://h/é",
  "http://h/a:b@c",
  "http://h/a?x='a'",
  "http://h/a?x=a b",
  "http://h/a?x=<>",
  "http://h/a?x=é",
  "http://h/a?x=%41&y=1#f'",
];

describe("requestTarget", () => {
  it.each(CASES)("matches URL for %s", (href) => {
    const url = new URL(href);
    expect(requestTarget(href)).toEqual({ pathname: url.pathname, search: url.search });
  });
});

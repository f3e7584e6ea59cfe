import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { objectMembers, removeMember, setMember } from "./raw-json.ts";

/** JSON objects rendered with varied layout: compact, indented, or with odd spacing. */
const layouts = [
  (v: unknown) => JSON.stringify(v),
  (v: unknown) => JSON.stringify(v, null, 2),
  (v: unknown) => ` \n${JSON.stringify(v, null, "\t")}\r\n`,
];
const objects = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 }));

describe("raw JSON member edits", () => {
  it("setMember yields what JSON.parse + assignment would, for any object and layout", () => {
    fc.assert(
      fc.property(
        objects,
        fc.nat(layouts.length - 1),
        fc.string(),
        fc.jsonValue({ maxDepth: 2 }),
        (object, layout, key, value) => {
          const text = layouts[layout]!(object);
          const edited = setMember(text, 0, key, JSON.stringify(value));
          expect(edited).not.toBeNull();
          expect(JSON.parse(edited!)).toEqual(JSON.parse(JSON.stringify({ ...object, [key]: value })));
        },
      ),
    );
  });

  it("removeMember yields the object without the key, for any object and layout", () => {
    fc.assert(
      fc.property(objects, fc.nat(layouts.length - 1), (object, layout) => {
        const keys = Object.keys(object);
        const key = keys.length > 0 ? keys[Math.floor(keys.length / 2)]! : "absent";
        const text = layouts[layout]!(object);
        const { [key]: _dropped, ...rest } = object;
        expect(JSON.parse(removeMember(text, 0, key)!)).toEqual(JSON.parse(JSON.stringify(rest)));
      }),
    );
  });

  it("scans deep nesting without recursion and refuses non-objects", () => {
    const deep = `{"a":${"[".repeat(200_000)}${"]".repeat(200_000)},"b":2}`;
    expect(objectMembers(deep, 0)?.members.map((m) => m.key)).toEqual(["a", "b"]);
    expect(objectMembers("[1]", 0)).toBeNull();
    expect(objectMembers('{"a":', 0)).toBeNull();
  });
});

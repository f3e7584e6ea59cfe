import * as v from "valibot";

/** The small validators the config schemas share; their messages name what was expected. */
export const positiveInt = v.pipe(
  v.number("expected a number"),
  v.integer("expected an integer"),
  v.minValue(1, "must be at least 1"),
);

export const nonNegativeInt = v.pipe(
  v.number("expected a number"),
  v.integer("expected an integer"),
  v.minValue(0, "must be at least 0"),
);

export const nonNegativeNumber = v.pipe(
  v.number("expected a number"),
  v.finite("expected a finite number"),
  v.minValue(0, "must be at least 0"),
);

export const nonEmpty = v.pipe(v.string("expected a string"), v.nonEmpty("must not be empty"));

export const regex = v.pipe(
  v.string("expected a regular expression"),
  v.check((source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  }, "is not a valid regular expression"),
);

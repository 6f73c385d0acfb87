/**
 * Compile-time equality of two types, both ways: `AssertEqual<A, B>` only type-checks when `A` and `B` are the
 * same type (every field, its optionality and its nullability). Used where a hand-written interface and a
 * schema's inferred type must stay one contract (see `event-schema.ts`).
 */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Resolves to `true` only when `T` is `true`; `const check: AssertEqual<…> = true` fails to compile otherwise. */
export type AssertTrue<T extends true> = T;

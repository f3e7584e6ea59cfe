import postgres from "postgres";
import { inject } from "vitest";

/** The PostgreSQL server of this test run (test/global-setup.ts starts one, or CAUSEWAY_TEST_PG_URL). */
export function pgUrl(): string {
  const url = inject("pgUrl");
  if (!url)
    throw new Error(
      "no PostgreSQL for this run: test/global-setup.ts starts one unless CAUSEWAY_TEST_PG_URL is set",
    );
  return url;
}

async function admin<T>(work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(pgUrl(), { max: 1, onnotice: () => {} });
  try {
    return await work(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** A new, empty database on the run's server, so each test file's store starts clean. */
export async function freshDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await admin((sql) => sql.unsafe(`CREATE DATABASE ${name}`));
  const url = new URL(pgUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin((sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}

import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres.js';

/** The test run's PostgreSQL server: started once for the project, each test server makes its own database on it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

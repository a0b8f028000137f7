import { runAutocannon, type Scenario } from '../harness.js';

export const scenario: Scenario = {
  name: 'readyz',
  description: 'GET /readyz (a database round trip and a migration check) at 50 connections for 10 s',
  run: (context) =>
    runAutocannon(context, 'readyz', { path: '/readyz', connections: 50, duration: 10 }),
};

/** The command line itself is wrong (unknown command, missing or bad argument): exit code 64. */
export class UsageError extends Error {}

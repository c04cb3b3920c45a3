// The API's errors are always {code, message}; the message is written for people, so it is shown.
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function isErrorBody(value: unknown): value is { code: string; message: string } {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

/** The failure for an error response body (anything else gets a generic message). */
export function failureOf(status: number, body: unknown): ApiFailure {
  if (isErrorBody(body)) return new ApiFailure(status, body.code, body.message);
  if (status === 0) return new ApiFailure(0, "network", "The server could not be reached.");
  return new ApiFailure(status, "http_error", `The server answered with an error (${status}).`);
}

/** openapi-fetch's result as data, or a thrown ApiFailure (what React Query expects). */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    throw failureOf(result.response.status, result.error);
  }
  return result.data as T;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : "Something went wrong.";
}

// Failures that happen outside a QueryResult: no network, a 401, an unexpected HTTP answer.

export type ApiErrorKind = "network" | "unauthorized" | "http" | "stream";

export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly status: number | null;

  constructor(kind: ApiErrorKind, message: string, status: number | null = null) {
    super(message);
    this.name = "ApiError";
    this.kind = kind;
    this.status = status;
  }
}

export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === "AbortError";
}

/** FastAPI's `detail` is a string, or a list of validation problems each with a `msg`. */
export function detailMessage(detail: unknown): string | null {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    const messages = detail
      .map((item: unknown) =>
        item && typeof item === "object" && "msg" in item && typeof item.msg === "string" ? item.msg : null,
      )
      .filter((msg): msg is string => msg !== null);
    return messages.length > 0 ? messages.join("; ") : null;
  }
  return null;
}

// Reads a text/event-stream response body as a sequence of events (fetch + ReadableStream,
// because EventSource can neither POST a body nor send an Authorization header).
import { createParser, type EventSourceMessage } from "eventsource-parser";

export interface StreamEvent {
  /** The `event:` field; "message" when the server sent none, as EventSource does. */
  event: string;
  data: string;
  id?: string;
}

/**
 * Yields each complete event of `body` as it arrives. Breaking out of the loop cancels the
 * underlying stream, so a caller that has what it needs does not wait for the server to close.
 */
export async function* readEventStream(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<StreamEvent, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const pending: StreamEvent[] = [];
  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      pending.push({ event: message.event ?? "message", data: message.data, id: message.id });
    },
  });
  let finished = false;
  try {
    while (!finished) {
      const { done, value } = await reader.read();
      if (done) {
        // A last event without its blank line still counts: the server closed after writing it.
        // Blank lines after a complete event dispatch nothing, so this is safe either way.
        parser.feed(`${decoder.decode()}\n\n`);
        finished = true;
      } else {
        parser.feed(decoder.decode(value, { stream: true }));
      }
      while (pending.length > 0) {
        yield pending.shift() as StreamEvent;
      }
    }
  } finally {
    if (!finished) {
      await reader.cancel().catch(() => undefined);
    }
    reader.releaseLock();
  }
}

// Validates request bodies the way the reference server does, and prints the problem answers.
import { canTransition, fieldErrors, PlaybackStartRequestSchema, problem } from "@mpvstream/core";

for (const text of ['{"stream_id":"demo"}', '{"stream_id":"../etc","admin":true}']) {
  const result = PlaybackStartRequestSchema.safeParse(JSON.parse(text));
  if (result.success) {
    console.log("accepted", result.data);
  } else {
    console.log("refused", problem("validation_failed", "The body is not valid.", fieldErrors(result.error)));
  }
}
console.log("offline -> live allowed?", canTransition("offline", "live"));

import { z } from "zod";
import { RUN_STATUSES } from "../store/records";

const Count = z.number().int().min(0).nullable();

/** Where a queued run stands (`GET /api/runs/:runId/queue`). */
export const QueuePlace = z
  .object({
    status: z.enum(RUN_STATUSES),
    position: z.number().int().min(1).nullable().meta({ description: "1 = the next run to start; null once it is not waiting" }),
    ahead: Count.meta({ description: "Runs ahead of it" }),
    running: Count.meta({ description: "Runs being executed now" }),
    estimatedStartSeconds: Count.meta({ description: "About when it starts, from how long recent runs took; null without any" }),
    typicalRunSeconds: Count.meta({ description: "The median duration of the last finished runs" }),
  })
  .meta({ id: "QueuePlace" });

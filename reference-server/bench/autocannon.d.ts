// autocannon ships no types and @types/autocannon is not installed: the part bench/run.ts uses.
declare module "autocannon" {
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    headers?: Record<string, string>;
    amount?: number;
    requests?: {
      method?: string;
      setupRequest?: (request: Record<string, unknown>) => Record<string, unknown>;
    }[];
  }
  interface Result {
    requests: { average: number };
    non2xx: number;
    "2xx": number;
    errors: number;
  }
  export default function autocannon(options: Options): Promise<Result>;
}

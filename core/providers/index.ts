import type { ProviderKind } from "../config.ts";
import { anthropicProfile } from "./anthropic.ts";
import { openaiProfile } from "./openai.ts";
import type { ProviderProfile } from "./provider-profile.ts";

export const PROFILES: Record<ProviderKind, ProviderProfile> = {
  anthropic: anthropicProfile,
  openai: openaiProfile,
};

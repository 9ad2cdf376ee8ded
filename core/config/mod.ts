/** Configuration: `config.toml`, profiles and `VPO_<SECTION>_<KEY>` overrides, validated with valibot. */
export {
  CONFIG_SECTIONS, ConfigSchema, LOG_LEVELS, PROFILE_NAME, ProfileSchema, sectionKeys,
  type Config, type ConfigSection, type LogLevelName, type Profile,
} from "./schema.ts";
export { defaultConfig } from "./defaults.ts";
export { checkTomlFile, configFilePath, listProfiles, profilePath, profilesDir, readConfigFile, readProfile, type FileCheck } from "./files.ts";
export { checkEnvLayer, envLayer } from "./env.ts";
export { loadConfig, type ConfigSource, type LoadConfigOptions, type LoadedConfig } from "./load.ts";
export { checkConfigSetup, type ConfigProblem } from "./validate.ts";
export { databaseLocation } from "./database.ts";
export {
  AlertsSchema, ChannelSchema, ChannelsSchema, CHANNEL_KEYS, checkMonitoringReferences, formatDuration as formatConfigDuration, LABELS, MAX_DURATION_SECONDS, parseDuration, parseFreeSpace,
  RULE_KIND_NAMES, RULE_KINDS, RuleSchema, SEVERITIES, WEBHOOK_PRESETS,
  type AlertsConfig, type ChannelConfig, type ChannelType, type LabelName, type RuleConfig, type RuleKind, type Severity,
} from "./monitoring.ts";

/** Configuration: `config.toml`, profiles and `VPO_<SECTION>_<KEY>` overrides, validated with valibot. */
export { ConfigSchema, type Config, type ConfigSection } from "./schema.ts";
export {
  defaultConfig, envLayer, listProfiles, loadConfig, profilesDir, ProfileSchema, readConfigFile, readProfile,
  type ConfigSource, type LoadConfigOptions, type LoadedConfig, type Profile,
} from "./load.ts";

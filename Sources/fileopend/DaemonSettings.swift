import FileOpenCore
import FileOpenProbe
import FileOpenServer

/// Everything the daemon is started with, from its flags (later also its configuration file).
struct DaemonSettings: Sendable {
    var probe: ProbeSettings
    var aggregator: AggregatorSettings
    /// Where /metrics is served.
    var listen: [ListenAddress]
    /// The query socket's path and group.
    var socketPath: String
    var socketGroup: String?
    /// What /metrics asks of clients (`web_config_file`): TLS, basic authentication.
    var web = WebSecurity()
    #if TestHooks
    /// Test-only (`FILEOPEND_TEST_SYNTHETIC_PROCESSES`, for `make bench`): synthetic processes to
    /// track from the start; nil otherwise.
    var syntheticProcesses: Int? = nil
    /// Test-only (`FILEOPEND_TEST_FREEZE_CONSUMER_AFTER`/`_FOR`): the consumer's freeze; nil otherwise.
    var freeze: ConsumerFreeze.Request? = nil
    #endif
}

#if canImport(Glibc)
import Glibc
#endif

/// The status line and header block of a response, as bytes.
enum ResponseHeadEncoder {
    /// Names the server sets itself; a handler's fields of these names are dropped.
    private static let reserved: Set<String> = [
        "content-length", "transfer-encoding", "connection", "date", "content-type", "keep-alive",
    ]

    /// - Parameters:
    ///   - contentLength: the length of the body as sent on GET (also announced on HEAD).
    ///   - gzip: the body is gzip-coded (`Content-Encoding: gzip`).
    ///   - varyOnEncoding: the body would have been coded differently for another Accept-Encoding.
    ///   - connection: `close`, `keep-alive` (HTTP/1.0 clients need it said), or nil.
    static func encode(
        _ response: HTTPResponse, contentLength: Int, gzip: Bool, varyOnEncoding: Bool, connection: String?
    ) -> [UInt8] {
        var text = "HTTP/1.1 \(response.status.code) \(sanitized(response.status.reasonPhrase))\r\n"
        text += "Date: \(httpDate())\r\n"
        if let contentType = response.contentType, isValidValue(contentType) {
            text += "Content-Type: \(contentType)\r\n"
        }
        text += "Content-Length: \(contentLength)\r\n"
        if gzip { text += "Content-Encoding: gzip\r\n" }
        if varyOnEncoding { text += "Vary: Accept-Encoding\r\n" }
        if let connection { text += "Connection: \(connection)\r\n" }
        for field in response.headers
        where isValidName(field.name) && isValidValue(field.value) && !reserved.contains(field.name.lowercased()) {
            text += "\(field.name): \(field.value)\r\n"
        }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// A token, so it cannot end the line or the head.
    private static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && !"()<>@,;:\\\"/[]?={}".utf8.contains($0) }
    }

    /// No CR, LF, NUL or other control character but HT.
    private static func isValidValue(_ value: String) -> Bool {
        value.utf8.allSatisfy { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }
    }

    private static func sanitized(_ reason: String) -> String {
        isValidValue(reason) ? reason : ""
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// IMF-fixdate (RFC 9110 section 5.6.7), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`, from `gmtime_r(3)`;
    /// formatted by hand because strftime's names follow the locale.
    static func httpDate(_ seconds: time_t = time(nil)) -> String {
        var seconds = seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekdays[Int(parts.tm_wday) % 7]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon) % 12]) "
            + "\(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}

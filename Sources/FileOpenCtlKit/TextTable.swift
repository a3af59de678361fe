import FileOpenCore

/// A table like `ss` or `ps` prints: a header line, columns as wide as their widest cell, numbers
/// right-aligned, two spaces between columns, no trailing spaces. Cells are printed as given, so
/// callers escape names with `TerminalText.escaped` first.
public struct TextTable: Sendable {
    /// A column's heading and which side its cells (and heading) line up on.
    public struct Column: Sendable {
        /// The column's name in the header line.
        public var heading: String
        /// Right-aligned (numbers) rather than left-aligned (text).
        public var alignRight: Bool

        /// A column named `heading`.
        public init(_ heading: String, alignRight: Bool = false) {
            self.heading = heading
            self.alignRight = alignRight
        }

        /// A left-aligned text column.
        public static func text(_ heading: String) -> Column { Column(heading) }
        /// A right-aligned number column.
        public static func number(_ heading: String) -> Column { Column(heading, alignRight: true) }
    }

    /// The columns, left to right.
    public let columns: [Column]
    /// The rows added so far, each with one cell per column.
    public private(set) var rows: [[String]] = []

    /// An empty table with `columns`.
    public init(_ columns: [Column]) {
        self.columns = columns
    }

    /// Adds a row; missing cells are empty, extra cells are ignored.
    public mutating func append(_ cells: [String]) {
        rows.append((0..<columns.count).map { $0 < cells.count ? cells[$0] : "" })
    }

    /// The header line and one line per row.
    public func lines() -> [String] {
        var widths = columns.map { TerminalText.displayWidth($0.heading) }
        for row in rows {
            for (index, cell) in row.enumerated() {
                widths[index] = max(widths[index], TerminalText.displayWidth(cell))
            }
        }
        return ([columns.map(\.heading)] + rows).map { cells in
            // Empty cells at the end of a row would only add padding.
            let end = (cells.lastIndex { !$0.isEmpty } ?? 0) + 1
            var line = ""
            for (index, cell) in cells[..<end].enumerated() {
                let column = columns[index]
                if index > 0 { line += "  " }
                line += index == end - 1 && !column.alignRight
                    ? cell : TerminalText.padded(cell, to: widths[index], alignRight: column.alignRight)
            }
            return line
        }
    }
}

"""What the office prints and hands over: the year's report, a place's 実績報告書, the survey,
exports and their safe file names."""

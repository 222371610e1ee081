"""The policy maker's pages: the portfolio of many communities and the drill-down into one."""

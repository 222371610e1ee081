"""Every read and write of the database: keyword-only functions taking an explicit session.

Reads return tidy DataFrames or typed models; queries are always parameterised.
"""

"""HTTP operations of this context under /api/v1 (thin: parse, authorise, call one service or selector)."""

from ninja import Router

router = Router()

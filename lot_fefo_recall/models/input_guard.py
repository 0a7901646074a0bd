"""One guard for the values that reach the add-on's fields and buttons.

Over RPC a client sends any JSON: a word where a number goes, a list where text goes,
an id that does not exist or that the user may not read. Left to the ORM, such a value
fails deep inside it (ValueError, TypeError, a PostgreSQL error): a server error and a
traceback instead of a sentence. The add-on's models carry this mixin, whose create()
and write() check every value of the add-on's own fields against the field's type
before anything is written, and whose ensure_one() checks the ids a button gets."""

import math

import psycopg2

from odoo import api, models
from odoo.api import NewId
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command, Domain

MODULE = "lot_fefo_recall"
# PostgreSQL int4: the column of Integer fields and of record ids.
INT4_MAX = 2**31 - 1
# Beyond this a float no longer counts units exactly: no quantity, day or price is.
FLOAT_MAX = 2**53
# Lengths of the add-on's text: a reference or a name, a note or a letter.
CHAR_MAX = 1_000
TEXT_MAX = 100_000
_TEXT_TYPES = {"char": CHAR_MAX, "text": TEXT_MAX, "html": TEXT_MAX}
_RELATIONAL_TYPES = {"many2one", "one2many", "many2many"}


def shorten(value, size=40):
    """``value`` as the user typed it, cut to ``size`` characters for a message."""
    text = value if isinstance(value, str) else repr(value)
    text = text.replace("\x00", "\\x00")
    return text if len(text) <= size else f"{text[: size - 1]}…"


def is_id(value):
    """Whether ``value`` can be the id of a record: a positive int4, not a bool."""
    return type(value) is int and 0 < value <= INT4_MAX


def _clears(value):
    """Whether x2many ``value`` leaves the field empty whatever it held: nothing, or
    only commands that clear it."""
    return not value or (
        isinstance(value, (list, tuple))
        and all(
            isinstance(command, (list, tuple))
            and command
            and (
                command[0] == Command.CLEAR
                or (command[0] == Command.SET and len(command) == 3 and not command[2])
            )
            for command in value
        )
    )


class LotFefoRecallInputGuard(models.AbstractModel):
    _name = "lot_fefo_recall.input.guard"
    _description = "Checks of the values written to the add-on's fields"

    @api.model_create_multi
    def create(self, vals_list):
        self._check_input_values(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_input_values([vals])
        return super().write(vals)

    def ensure_one(self):
        # The buttons of the add-on's own models start here: called over RPC on no
        # record, several, or ids that are no ids, they answer in words.
        if self._original_module == MODULE:
            self._check_input_ids()
            if len(self._ids) != 1:
                raise UserError(
                    self.env._(
                        "This acts on one %(model)s at a time, not on %(count)s.",
                        model=self._input_model_name(self._name),
                        count=len(self._ids),
                    )
                )
        return super().ensure_one()

    # ------------------------------------------------------------------ checks

    def _check_input_ids(self):
        """Refuse a recordset whose ids are not ids (a word, a negative or huge
        number), as RPC may build one; new records of a form are left alone."""
        bad = [id_ for id_ in self._ids if not is_id(id_) and not isinstance(id_, NewId)]
        if bad:
            raise UserError(
                self.env._(
                    "%(value)s is not a %(model)s.",
                    value=shorten(bad[0]),
                    model=self._input_model_name(self._name),
                )
            )

    @api.model
    def _check_input_values(self, vals_list):
        """Raise ValidationError, in the user's words and naming the field, when a
        value of the add-on's own fields in ``vals_list`` does not fit the field: of
        another type, out of range, too long, empty when required, or naming records
        that do not exist or that the user may not read."""
        if not isinstance(vals_list, (list, tuple)) or not all(
            isinstance(vals, dict) for vals in vals_list
        ):
            raise ValidationError(
                self.env._(
                    "%(model)s: the values to save must be fields and their values, not "
                    "%(value)s.",
                    model=self._input_model_name(self._name),
                    value=shorten(vals_list),
                )
            )
        self._check_input_ids()
        named = {}
        for vals in vals_list:
            for name, value in vals.items():
                field = self._fields.get(name)
                if field is None or field._modules[:1] != (MODULE,):
                    continue
                ids = self._check_input_value(field, value)
                if ids:
                    named.setdefault(field, set()).update(ids)
        for field, ids in named.items():
            self._check_input_records(field, ids)

    def _check_input_value(self, field, value):
        """Check ``value`` for ``field``; return the ids it names (relational)."""
        empty = (
            _clears(value)
            if field.type in ("one2many", "many2many")
            else value is None or value is False or value == ""
        )
        # False is an answer for a yes-or-no, 0 for a number.
        if field.required and empty and field.type not in ("boolean", "integer", "float"):
            raise ValidationError(
                self.env._("%(field)s is required.", **self._input_words(field, value))
            )
        if value is None or value is False:
            return ()
        if field.type in _RELATIONAL_TYPES:
            return self._input_relational_ids(field, value)
        if field.type in _TEXT_TYPES:
            self._check_input_text(field, value)
        elif field.type == "boolean":
            if type(value) not in (bool, int) or value not in (0, 1):
                raise ValidationError(
                    self.env._(
                        "%(field)s is a yes or no, not %(value)s.",
                        **self._input_words(field, value),
                    )
                )
        elif field.type in ("integer", "float"):
            self._check_input_number(field, value)
        elif field.type == "selection":
            if not isinstance(value, str) or value not in field.get_values(self.env):
                choices = ", ".join(
                    label for _key, label in field._description_selection(self.env)
                )
                raise ValidationError(
                    self.env._(
                        "%(field)s is one of %(choices)s, not %(value)s.",
                        choices=choices,
                        **self._input_words(field, value),
                    )
                )
        elif field.type in ("date", "datetime"):
            try:
                field.convert_to_cache(value, self)
            except (ValueError, TypeError, OverflowError) as error:
                message = (
                    self.env._(
                        "%(field)s is a date such as 2026-06-15, not %(value)s.",
                        **self._input_words(field, value),
                    )
                    if field.type == "date"
                    else self.env._(
                        "%(field)s is a date and time such as 2026-06-15 08:30:00, not %(value)s.",
                        **self._input_words(field, value),
                    )
                )
                raise ValidationError(message) from error
        return ()

    def _check_input_text(self, field, value):
        if not isinstance(value, str):
            raise ValidationError(
                self.env._("%(field)s is text, not %(value)s.", **self._input_words(field, value))
            )
        if "\x00" in value:
            raise ValidationError(
                self.env._(
                    "%(field)s contains an invisible NUL character: remove it.",
                    **self._input_words(field, value),
                )
            )
        limit = _TEXT_TYPES[field.type]
        if len(value) > limit:
            raise ValidationError(
                self.env._(
                    "%(field)s holds at most %(limit)s characters, not %(length)s.",
                    limit=f"{limit:,}",
                    length=f"{len(value):,}",
                    **self._input_words(field, value),
                )
            )

    def _check_input_number(self, field, value):
        try:
            if not isinstance(value, (int, float, str)):
                raise TypeError(value)
            number = field.convert_to_cache(value, self)
        except (ValueError, TypeError, OverflowError) as error:
            message = (
                self.env._(
                    "%(field)s is a whole number, not %(value)s.",
                    **self._input_words(field, value),
                )
                if field.type == "integer"
                else self.env._(
                    "%(field)s is a number, not %(value)s.", **self._input_words(field, value)
                )
            )
            raise ValidationError(message) from error
        limit = INT4_MAX if field.type == "integer" else FLOAT_MAX
        if not (math.isfinite(number) and abs(number) <= limit):
            raise ValidationError(
                self.env._(
                    "%(field)s is a number between -%(limit)s and %(limit)s, not %(value)s.",
                    limit=f"{limit:,}",
                    **self._input_words(field, value),
                )
            )

    def _input_relational_ids(self, field, value):
        """The ids ``value`` names, in any form the ORM takes for ``field``: an id, a
        list of ids, or commands."""
        if isinstance(value, models.BaseModel):
            return ()
        if field.type == "many2one":
            if is_id(value):
                return (value,)
            raise self._input_relational_error(field, value)
        if not isinstance(value, (list, tuple)):
            raise self._input_relational_error(field, value)
        ids = []
        for command in value:
            if is_id(command):
                ids.append(command)
                continue
            if not isinstance(command, (list, tuple)) or not command:
                raise self._input_relational_error(field, value)
            code, *args = command
            if isinstance(code, bool) or not isinstance(code, int):
                raise self._input_relational_error(field, value)
            if code == Command.CLEAR:
                continue
            if code in (Command.CREATE, Command.UPDATE) and len(args) == 2:
                if not isinstance(args[1], dict):
                    raise self._input_relational_error(field, value)
                if code == Command.UPDATE:
                    ids.append(args[0])
            elif code in (Command.DELETE, Command.UNLINK, Command.LINK) and args:
                ids.append(args[0])
            elif code == Command.SET and len(args) == 2 and isinstance(args[1], (list, tuple)):
                ids.extend(args[1])
            else:
                raise self._input_relational_error(field, value)
        if not all(is_id(id_) for id_ in ids):
            raise self._input_relational_error(field, value)
        return ids

    def _check_input_records(self, field, ids):
        """The records named exist and the user may read them; a company is one of
        those the user is working in."""
        Comodel = self.env[field.comodel_name].with_context(active_test=False)
        found = set(Comodel.search([("id", "in", list(ids))]).ids)
        if field.comodel_name == "res.company" and not self.env.su:
            found &= set(self.env.companies.ids)
        missing = sorted(set(ids) - found)
        if missing:
            raise ValidationError(
                self.env._(
                    "%(field)s: there is no %(model)s %(ids)s that you may use here.",
                    model=self._input_model_name(field.comodel_name),
                    ids=", ".join(map(str, missing[:5])),
                    **self._input_words(field, missing),
                )
            )

    @api.model
    def _check_input_domain(self, domain):
        """``domain`` (a filter sent by the client) as a Domain of this model that
        can run; raise ValidationError otherwise."""
        try:
            domain = Domain(domain)
            with self.env.cr.savepoint():
                self.search_count(domain, limit=1)
        except (ValueError, TypeError, KeyError, psycopg2.DataError) as error:
            raise ValidationError(
                self.env._(
                    "This filter can not be used on %(model)s: %(domain)s",
                    model=self._input_model_name(self._name),
                    domain=shorten(domain, 80),
                )
            ) from error
        return domain

    # ------------------------------------------------------------------ words

    def _input_model_name(self, model_name):
        return self.env["ir.model"]._get(model_name).name or model_name

    def _input_words(self, field, value):
        return {"field": field._description_string(self.env), "value": shorten(value)}

    def _input_relational_error(self, field, value):
        return ValidationError(
            self.env._(
                "%(field)s takes %(model)s records, not %(value)s.",
                model=self._input_model_name(field.comodel_name),
                **self._input_words(field, value),
            )
        )

from decimal import Decimal

import pytest
from django.utils import translation

from dingdan.core.exceptions import ValidationFailed
from dingdan.customers.domain import (
    ADDRESS_MASKS,
    AddressParts,
    address_normalize,
    credit_terms_changed,
    email_normalize,
    generated_code,
    is_generated_code,
    mask_account,
    mask_email,
    mask_fields,
    mask_phone,
    mask_text,
    match_choice,
    phone_normalize,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def errors_of(parts, **kwargs):
    with pytest.raises(ValidationFailed) as raised:
        address_normalize(parts, **kwargs)
    return raised.value.errors


# Addresses -----------------------------------------------------------------------------


def test_a_beijing_address_keeps_the_municipality_as_province_and_city():
    parts = AddressParts(
        province="北京市", city="北京市", district="朝阳区", street="建国路88号", postal_code="100022"
    )

    assert address_normalize(parts) == parts


def test_a_beijing_district_given_as_the_city_moves_to_the_district():
    parts = AddressParts(province="北京", city="朝阳区", street="建国路88号")

    assert address_normalize(parts) == AddressParts(
        province="北京市", city="北京市", district="朝阳区", street="建国路88号"
    )


def test_a_shanghai_address_in_pinyin_gets_the_chinese_names():
    parts = AddressParts(
        province="Shanghai Shi", city="上海", district="Pudong Xinqu", street="世纪大道100号"
    )

    assert address_normalize(parts) == AddressParts(
        province="上海市", city="上海市", district="浦东新区", street="世纪大道100号"
    )


def test_a_shenzhen_address_is_accepted_as_given():
    parts = AddressParts(
        province="广东省", city="深圳市", district="南山区", street="科技园路1号", postal_code="518057"
    )

    assert address_normalize(parts) == parts


def test_names_without_their_suffix_get_it_and_whitespace_goes():
    parts = AddressParts(
        country_code=" cn ",
        province=" 广东 ",
        city="深圳",
        district="南山",
        street=" 科技园路1号 ",
        postal_code="518 057",
    )

    assert address_normalize(parts) == AddressParts(
        province="广东省", city="深圳市", district="南山区", street="科技园路1号", postal_code="518057"
    )


def test_a_district_newer_than_the_data_is_kept_as_typed_not_turned_into_the_old_county():
    parts = AddressParts(province="北京市", city="北京市", district="密云区", street="1号")

    assert address_normalize(parts).district == "密云区"


def test_an_unknown_province_is_an_error():
    errors = errors_of(AddressParts(province="火星省", city="深圳市", street="1号"))

    assert errors == [
        {"field": "province", "message": "Unknown province or state.", "code": "unknown_province"}
    ]


def test_a_chinese_address_needs_province_city_and_street_but_no_postal_code():
    errors = errors_of(AddressParts(country_code="CN"), prefix="addresses.0.")

    assert errors == [
        {"field": "addresses.0.province", "message": "This field is required.", "code": "required"},
        {"field": "addresses.0.city", "message": "This field is required.", "code": "required"},
        {"field": "addresses.0.street", "message": "This field is required.", "code": "required"},
    ]


def test_a_chinese_postal_code_has_six_digits():
    errors = errors_of(AddressParts(province="广东省", city="深圳市", street="1号", postal_code="51805"))

    assert errors == [
        {
            "field": "postal_code",
            "message": "This postal code does not exist in this region.",
            "code": "invalid_postal_code",
        }
    ]


def test_a_hong_kong_address_in_chinese_gets_the_canonical_area_and_district():
    parts = AddressParts(country_code="HK", province="九龍", city="旺角", street="彌敦道1號")

    assert address_normalize(parts) == AddressParts(
        country_code="HK", province="Kowloon", city="Mong Kok", street="彌敦道1號"
    )


def test_a_hong_kong_address_needs_no_city_or_postal_code():
    parts = AddressParts(country_code="HK", province="Hong Kong Island", street="1 Queen's Road Central")

    assert address_normalize(parts) == parts


def test_a_us_address_gets_the_state_code():
    parts = AddressParts(
        country_code="US",
        province="California",
        city="Mountain View",
        street="1600 Amphitheatre Pkwy",
        postal_code="94043",
    )

    assert address_normalize(parts).province == "CA"


def test_a_us_address_needs_a_zip_code_that_fits():
    missing = errors_of(
        AddressParts(country_code="US", province="CA", city="Mountain View", street="1 Main St")
    )
    wrong = errors_of(
        AddressParts(
            country_code="US", province="CA", city="Mountain View", street="1 Main St", postal_code="9404"
        )
    )

    assert missing == [{"field": "postal_code", "message": "This field is required.", "code": "required"}]
    assert [e["code"] for e in wrong] == ["invalid_postal_code"]


def test_an_unknown_country_is_an_error():
    errors = errors_of(AddressParts(country_code="XX", street="1号"))

    assert errors == [
        {"field": "country_code", "message": "Unknown country code.", "code": "unknown_country"}
    ]


def test_an_ambiguous_short_name_matches_nothing():
    choices = [("吉林省", "吉林省"), ("吉林市", "吉林市")]

    assert match_choice("吉林", choices) is None
    assert match_choice("吉林市", choices) == "吉林市"


# Phones and e-mail ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13812345678", "+8613812345678"),
        ("+86 138 1234 5678", "+8613812345678"),
        ("138-1234-5678", "+8613812345678"),
        ("010-12345678", "+861012345678"),
        ("0755 8601 3388", "+8675586013388"),
        ("+852 9123 4567", "+85291234567"),
        ("+1 650 253 0000", "+16502530000"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_phones_are_stored_in_e164_reading_numbers_without_a_code_as_chinese(typed, stored):
    assert phone_normalize(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "1381234567", "abc", "+86 999"])
def test_impossible_phone_numbers_are_errors_naming_the_field(typed):
    with pytest.raises(ValidationFailed) as raised:
        phone_normalize(typed, field="contacts.1.phone")

    assert raised.value.errors == [
        {
            "field": "contacts.1.phone",
            "message": "Enter a valid phone number, e.g. 13812345678 or +86 10 1234 5678.",
            "code": "invalid_phone",
        }
    ]


def test_an_email_keeps_its_local_part_and_lowers_its_domain():
    assert email_normalize("  Zhang.Wei@Example.COM ") == "Zhang.Wei@example.com"


# Masking -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+8613812345678", "138****5678"),
        ("+861012345678", "101****5678"),
        ("+16502530000", "+1 650****0000"),
        ("+85291234567", "+852 912****4567"),
        ("12345", "****45"),
        ("", ""),
    ],
)
def test_phones_are_masked_keeping_three_leading_and_four_trailing_digits(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("zhang@example.com", "z***@example.com"),
        ("z@example.com", "z***@example.com"),
        ("broken", "***"),
        ("", ""),
    ],
)
def test_emails_are_masked_keeping_the_first_letter_and_the_domain(email, masked):
    assert mask_email(email) == masked


def test_streets_vanish_and_bank_accounts_keep_their_last_four_characters():
    assert mask_text("科技园路1号") == "***"
    assert mask_text("") == ""
    assert mask_account("6222 0000 1234 5678") == "****5678"


def test_an_address_is_masked_keeping_province_city_and_district():
    address = {
        "recipient": "张伟",
        "phone": "+8613812345678",
        "province": "广东省",
        "city": "深圳市",
        "district": "南山区",
        "street": "科技园路1号",
        "postal_code": "518057",
    }

    assert mask_fields(address, ADDRESS_MASKS) == {**address, "phone": "138****5678", "street": "***"}


# Credit and codes ----------------------------------------------------------------------


def test_credit_terms_change_only_when_a_value_differs():
    current = {"credit_limit": Decimal("5000.00"), "credit_hold": False}

    assert credit_terms_changed(current, {"credit_limit": Decimal("5000"), "name": "x"}) is False
    assert credit_terms_changed(current, {"credit_limit": Decimal("6000.00")}) is True
    assert credit_terms_changed(current, {"credit_hold": True}) is True


def test_generated_codes_are_c_and_eight_digits_and_reserved():
    assert generated_code(42) == "C00000042"
    assert is_generated_code("C00000042") is True
    assert is_generated_code("C123") is True
    assert is_generated_code("CUST-1") is False

from hypothesis import given
from hypothesis import strategies as st

from tests.protocols.p3.reference import amb_crc_by_the_book
from velotime.protocols.p3.crc import p3_crc

# docs/protocols.md 1.6 A: the first STATUS of amb.out, CRC 0x7C4D stored little-endian.
STATUS_A = bytes.fromhex("8e021f004d7c000002000102270007021600 0c0176 060100 810413180400 8f")


def test_worked_status_record_carries_the_crc_the_decoder_computed() -> None:
    assert p3_crc(STATUS_A) == 0x7C4D


def test_the_stored_crc_bytes_do_not_affect_the_result() -> None:
    other = STATUS_A[:4] + b"\x12\x34" + STATUS_A[6:]
    assert p3_crc(other) == 0x7C4D


@given(st.binary(min_size=11, max_size=300))
def test_fast_crc_equals_the_documented_shift_register(record: bytes) -> None:
    assert p3_crc(record) == amb_crc_by_the_book(record)


def test_it_is_not_plain_ccitt_false() -> None:
    # The classic mistake the protocol notes warn about: CRC-16/CCITT-FALSE over the record.
    from binascii import crc_hqx

    zeroed = STATUS_A[:4] + b"\x00\x00" + STATUS_A[6:]
    assert crc_hqx(zeroed, 0xFFFF) != 0x7C4D
